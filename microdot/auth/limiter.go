package auth

import (
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/microdot-go/microdot/microdot"
)

// Defaults of a Limit's zero fields.
const (
	DefaultFailures   = 10
	DefaultEvery      = 6 * time.Second
	DefaultMaxClients = 10000
)

// Limit says how many failed attempts a client may make.
type Limit struct {
	// Failures is how many failed attempts a client may make in a row
	// before it is throttled (0: DefaultFailures).
	Failures int
	// Every is how often a throttled client earns one more attempt (0:
	// DefaultEvery). With the defaults a client may fail 10 times at once,
	// then once every 6 seconds: 600 guesses an hour instead of millions.
	Every time.Duration
	// MaxClients bounds the clients that are tracked at once, and so the
	// memory used (0: DefaultMaxClients). Clients whose count has gone back
	// to zero are forgotten first; past the bound, new clients share one
	// count.
	MaxClients int
	// ClientKey names the client of a request. Nil means its address
	// (RemoteAddr without the port; IPv6 addresses by their /64 prefix,
	// which one host typically owns whole). X-Forwarded-For is not trusted
	// by default: behind a proxy that sets it, supply a ClientKey that
	// reads it.
	ClientKey func(r *http.Request) string
	// Logger receives one line when a client starts being throttled, and
	// no more for that client until it has been idle long enough to be
	// forgiven every failure (nil: slog.Default()).
	Logger *slog.Logger
}

// Limiter counts failed attempts per client and throttles clients that fail
// too often. It starts no goroutine: idle clients are forgotten as new ones
// come. It is safe for concurrent use.
type Limiter struct {
	cfg Limit
	now func() time.Time

	mu        sync.Mutex
	clients   map[string]*client
	shared    *client // the count of clients beyond MaxClients
	lastSweep time.Time
}

type client struct {
	lim    *rate.Limiter
	logged bool // the throttling of this client was logged
}

// NewLimiter returns a Limiter for l, with defaults for its zero fields.
func NewLimiter(l Limit) *Limiter {
	if l.Failures <= 0 {
		l.Failures = DefaultFailures
	}
	if l.Every <= 0 {
		l.Every = DefaultEvery
	}
	if l.MaxClients <= 0 {
		l.MaxClients = DefaultMaxClients
	}
	if l.ClientKey == nil {
		l.ClientKey = ClientAddress
	}
	if l.Logger == nil {
		l.Logger = slog.Default()
	}
	lm := &Limiter{cfg: l, now: time.Now, clients: map[string]*client{}}
	lm.shared = lm.newClient()
	return lm
}

func (l *Limiter) newClient() *client {
	return &client{lim: rate.NewLimiter(rate.Every(l.cfg.Every), l.cfg.Failures)}
}

// ClientAddress is the default client key: the host part of RemoteAddr,
// with IPv6 addresses reduced to their /64 prefix.
func ClientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// Wait reports how long the client of r must wait before its next attempt
// is checked: 0 when it may try now.
func (l *Limiter) Wait(r *http.Request) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.lookup(l.cfg.ClientKey(r), false)
	if c == nil {
		return 0
	}
	now := l.now()
	tokens := c.lim.TokensAt(now)
	if tokens >= float64(l.cfg.Failures) {
		c.logged = false // idle again: a new round of guessing is logged anew
	}
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(l.cfg.Every))
}

// Fail records a failed attempt by the client of r.
func (l *Limiter) Fail(r *http.Request) {
	key := l.cfg.ClientKey(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.lookup(key, true)
	now := l.now()
	c.lim.AllowN(now, 1)
	if c.lim.TokensAt(now) < 1 && !c.logged {
		c.logged = true
		l.cfg.Logger.Warn("auth: too many failed attempts; throttling the client",
			slog.String("client", key), slog.Int("failures", l.cfg.Failures), slog.Duration("every", l.cfg.Every))
	}
}

// lookup returns the count of key, creating it when create is set. The
// caller holds l.mu.
func (l *Limiter) lookup(key string, create bool) *client {
	if c, ok := l.clients[key]; ok {
		return c
	}
	if len(l.clients) >= l.cfg.MaxClients {
		l.sweep()
		if len(l.clients) >= l.cfg.MaxClients {
			return l.shared
		}
	}
	if !create {
		return nil
	}
	c := l.newClient()
	l.clients[key] = c
	return c
}

// sweep forgets the clients whose count is back to zero, at most once per
// Every, so that a flood of new addresses costs no more than a map walk per
// period. The caller holds l.mu.
func (l *Limiter) sweep() {
	now := l.now()
	if now.Sub(l.lastSweep) < l.cfg.Every {
		return
	}
	l.lastSweep = now
	for k, c := range l.clients {
		if c.lim.TokensAt(now) >= float64(l.cfg.Failures) {
			delete(l.clients, k)
		}
	}
}

// TooMany returns the 429 response for a client that must wait before its
// next attempt, or nil when it may try now. The response says when to
// retry, in seconds, in Retry-After and in its body.
func (l *Limiter) TooMany(req *microdot.Request) *microdot.Response {
	if l == nil {
		return nil
	}
	wait := l.Wait(req.Request)
	if wait <= 0 {
		return nil
	}
	secs := strconv.Itoa(int(math.Ceil(wait.Seconds())))
	res := microdot.Text(fmt.Sprintf("too many failed attempts from your address: retry in %s seconds", secs))
	res.StatusCode = http.StatusTooManyRequests
	res.SetHeader("Retry-After", secs)
	return res
}
