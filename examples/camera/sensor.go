package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"sync"
	"sync/atomic"
	"time"
)

// Settings are the camera's adjustable settings, as the API reads and writes
// them.
type Settings struct {
	Width      int `json:"width"`
	Height     int `json:"height"`
	Quality    int `json:"quality"`    // JPEG quality
	FPS        int `json:"fps"`        // frames per second of the stream
	Brightness int `json:"brightness"` // added to every pixel, in percent of full scale
}

// A settingField is one setting: its JSON name, its allowed range and where
// it is in a Settings.
type settingField struct {
	name     string
	min, max int
	of       func(*Settings) *int
}

// settingFields lists the settings.
var settingFields = [...]settingField{
	{"width", 160, 1920, func(s *Settings) *int { return &s.Width }},
	{"height", 120, 1080, func(s *Settings) *int { return &s.Height }},
	{"quality", 1, 100, func(s *Settings) *int { return &s.Quality }},
	{"fps", 1, 30, func(s *Settings) *int { return &s.FPS }},
	{"brightness", -100, 100, func(s *Settings) *int { return &s.Brightness }},
}

// A RangeError says that a setting is outside its allowed range.
type RangeError struct {
	Field    string // the JSON name of the setting
	Value    any    // the value given
	Min, Max int
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("%s must be an integer from %d to %d, got %v", e.Field, e.Min, e.Max, e.Value)
}

// Validate checks every setting against its range, and returns one
// *RangeError per setting out of range, joined.
func (s Settings) Validate() error {
	var errs []error
	for _, f := range settingFields {
		if v := *f.of(&s); v < f.min || v > f.max {
			errs = append(errs, &RangeError{Field: f.name, Value: v, Min: f.min, Max: f.max})
		}
	}
	return errors.Join(errs...)
}

// DefaultSettings are the settings of a camera that was just switched on.
var DefaultSettings = Settings{Width: 640, Height: 480, Quality: 75, FPS: 10, Brightness: 0}

// A Frame is one rendered, JPEG-encoded image. Frames are shared by every
// viewer and never modified once published.
type Frame struct {
	Number        uint64    // 1 for the first frame the camera rendered
	Time          time.Time // when it was rendered
	Width, Height int
	JPEG          []byte

	gen uint64 // the settings generation it was rendered with
}

// Camera is a synthetic camera sensor. A single goroutine (Run) renders
// frames at the configured rate while someone is watching, and publishes
// each frame to every viewer at once: the cost of the stream does not grow
// with the number of viewers. Snapshots reuse the latest frame when it is
// current, and render one otherwise.
type Camera struct {
	started time.Time
	name    string

	mu       sync.Mutex
	settings Settings
	gen      uint64        // incremented on every settings change
	latest   *Frame        // the last published frame, or nil
	next     chan struct{} // closed when the frame after latest is published
	viewers  int
	changed  chan struct{} // closed at the next settings change (see SettingsChanged)

	wake     chan struct{} // tells Run to look again: first viewer, new settings
	rendered atomic.Uint64

	snap     *Frame        // the last frame rendered for a snapshot
	snapping chan struct{} // closed when the snapshot render in progress ends; nil if none
}

// NewCamera returns a camera with the given settings (which must be valid)
// whose frames carry name.
func NewCamera(s Settings, name string) *Camera {
	return &Camera{
		started:  time.Now(),
		name:     name,
		settings: s,
		next:     make(chan struct{}),
		wake:     make(chan struct{}, 1),
	}
}

// Settings returns the settings in force.
func (c *Camera) Settings() Settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.settings
}

// SetSettings validates s and puts it in force: the next frame is rendered
// with it, at once when someone is watching.
func (c *Camera) SetSettings(s Settings) error {
	return c.UpdateSettings(func(cur *Settings) error {
		*cur = s
		return nil
	})
}

// UpdateSettings calls change with a copy of the settings in force and puts
// the result in force when change returns nil and the result is valid; it
// returns the first error otherwise. Concurrent updates do not overwrite
// each other's fields.
func (c *Camera) UpdateSettings(change func(*Settings) error) error {
	c.mu.Lock()
	s := c.settings
	err := change(&s)
	if err == nil {
		err = s.Validate()
	}
	if err == nil {
		c.settings = s
		c.gen++
		c.announceChange()
	}
	c.mu.Unlock()
	if err == nil {
		c.poke()
	}
	return err
}

// Viewers returns the number of streams being served.
func (c *Camera) Viewers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.viewers
}

// FramesRendered returns the number of frames rendered since the start.
func (c *Camera) FramesRendered() uint64 { return c.rendered.Load() }

// Uptime returns the time since the camera was created.
func (c *Camera) Uptime() time.Duration { return time.Since(c.started) }

func (c *Camera) poke() {
	select {
	case c.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// Run renders and publishes frames at the configured rate while at least one
// viewer is watching, and sleeps otherwise. It returns when ctx is done.
func (c *Camera) Run(ctx context.Context) {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	var interval time.Duration
	for {
		c.mu.Lock()
		viewers, fps := c.viewers, c.settings.FPS
		c.mu.Unlock()
		if viewers == 0 {
			select {
			case <-ctx.Done():
				return
			case <-c.wake:
				continue
			}
		}
		if iv := time.Second / time.Duration(fps); iv != interval {
			interval = iv
			ticker.Reset(iv)
		}
		c.publish(c.render())
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-c.wake: // a new viewer or new settings: show it now
		}
	}
}

func (c *Camera) publish(f *Frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.latest = f
	close(c.next)
	c.next = make(chan struct{})
}

// Watch calls send with every frame published from now on, until ctx is
// done (it then returns nil) or send fails (it returns the error). A viewer
// that is slower than the camera skips frames rather than falling behind.
// Run must be running for frames to be published.
func (c *Camera) Watch(ctx context.Context, send func(*Frame) error) error {
	c.mu.Lock()
	c.viewers++
	next := c.next
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.viewers--
		c.mu.Unlock()
	}()
	c.poke()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-next:
		}
		c.mu.Lock()
		f := c.latest
		next = c.next
		c.mu.Unlock()
		if err := send(f); err != nil {
			return err
		}
	}
}

// Snapshot returns a frame with the settings in force: the latest published
// or snapshot frame when it is current (rendered with these settings within
// one frame interval), a newly rendered one otherwise. Concurrent snapshots
// share one render: however many clients ask at once, at most one snapshot
// frame is being rendered, so a burst of requests costs neither CPU nor
// memory in proportion to its size.
func (c *Camera) Snapshot() *Frame {
	c.mu.Lock()
	for {
		gen, interval := c.gen, time.Second/time.Duration(c.settings.FPS)
		for _, f := range []*Frame{c.latest, c.snap} {
			if f != nil && f.gen == gen && time.Since(f.Time) < interval {
				c.mu.Unlock()
				return f
			}
		}
		if c.snapping == nil {
			break
		}
		wait := c.snapping
		c.mu.Unlock()
		<-wait // the render in progress, then look again
		c.mu.Lock()
	}
	done := make(chan struct{})
	c.snapping = done
	c.mu.Unlock()

	var f *Frame
	defer func() { // also if render panics: waiters must not wait forever
		c.mu.Lock()
		if f != nil {
			c.snap = f
		}
		c.snapping = nil
		c.mu.Unlock()
		close(done)
	}()
	f = c.render()
	return f
}

// Colours of the test pattern: the seven bars of the SMPTE pattern at 75%.
var bars = [...]color.RGBA{
	{191, 191, 191, 255}, // grey
	{191, 191, 0, 255},   // yellow
	{0, 191, 191, 255},   // cyan
	{0, 191, 0, 255},     // green
	{191, 0, 191, 255},   // magenta
	{191, 0, 0, 255},     // red
	{0, 0, 191, 255},     // blue
}

var (
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255}
)

// render draws a frame with the settings in force and encodes it.
func (c *Camera) render() *Frame {
	c.mu.Lock()
	s, gen := c.settings, c.gen
	c.mu.Unlock()
	now := time.Now()
	n := c.rendered.Add(1)

	w, h := s.Width, s.Height
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	t := now.Sub(c.started).Seconds()

	// Colour bars over the top two thirds, scrolling left at a quarter of
	// the width per second, so that motion is obvious in the stream.
	barsH := h * 2 / 3
	shift := int(t*float64(w)/4) % w
	for x := 0; x < w; x++ {
		fillRect(img, image.Rect(x, 0, x+1, barsH), bars[((x+shift)%w)*len(bars)/w])
	}
	// A grey ramp below them, to show brightness changes.
	for x := 0; x < w; x++ {
		v := uint8(x * 255 / max(w-1, 1))
		fillRect(img, image.Rect(x, barsH, x+1, h), color.RGBA{v, v, v, 255})
	}
	// A white square bouncing across the picture.
	side := max(h/8, 8)
	bx := bounce(t*float64(w)/3, w-side)
	by := bounce(t*float64(h)/2.5, h-side)
	fillRect(img, image.Rect(bx, by, bx+side, by+side), white)
	fillRect(img, image.Rect(bx+side/4, by+side/4, bx+side-side/4, by+side-side/4), black)

	// The clock and the settings, as text.
	scale := max(1, w/320)
	line := (glyphH + 4) * scale
	x, y := 2*scale, 2*scale
	drawText(img, x, y, c.name, scale, white, black)
	drawText(img, x, y+line, now.Format("2006-01-02 15:04:05.0"), scale, white, black)
	drawText(img, x, y+2*line, fmt.Sprintf("FRAME #%d", n), scale, white, black)
	info := fmt.Sprintf("%dX%d Q%d %dFPS BRIGHTNESS %+d", w, h, s.Quality, s.FPS, s.Brightness)
	drawText(img, x, h-line, info, scale, white, black)

	adjustBrightness(img, s.Brightness)

	var buf bytes.Buffer
	buf.Grow(w * h / 4)
	// Encoding an *image.RGBA in memory cannot fail.
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: s.Quality})
	return &Frame{Number: n, Time: now, Width: w, Height: h, JPEG: buf.Bytes(), gen: gen}
}

// bounce maps a growing position p onto 0..limit and back, like a ball
// between two walls.
func bounce(p float64, limit int) int {
	if limit <= 0 {
		return 0
	}
	i := int(p) % (2 * limit)
	if i > limit {
		i = 2*limit - i
	}
	return i
}

// adjustBrightness adds pct percent of full scale to every colour component.
func adjustBrightness(img *image.RGBA, pct int) {
	if pct == 0 {
		return
	}
	var lut [256]uint8
	for i := range lut {
		lut[i] = uint8(min(max(i+pct*255/100, 0), 255))
	}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i] = lut[img.Pix[i]]
		img.Pix[i+1] = lut[img.Pix[i+1]]
		img.Pix[i+2] = lut[img.Pix[i+2]]
	}
}
