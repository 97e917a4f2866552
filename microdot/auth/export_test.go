package auth

import "time"

// SetClock makes l read the time from now, so that tests control it.
func SetClock(l *Limiter, now func() time.Time) { l.now = now }

// Tracked returns how many clients l tracks.
func Tracked(l *Limiter) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}
