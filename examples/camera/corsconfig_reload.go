package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/microdot-go/microdot/microdot/cors"
)

// Default timings of corsReloader.
const (
	// defaultSettle is how long the file must stay unchanged before it is
	// read as complete.
	defaultSettle = 100 * time.Millisecond
	// defaultQuiet is how long the signals must stop before a reload: a
	// burst of SIGHUPs is one reload.
	defaultQuiet = 250 * time.Millisecond
	// settleTries bounds the wait for a file that keeps changing.
	settleTries = 50
)

// corsReloader puts the policy of a -cors-config file back in force after
// the file changed. The zero timings mean the defaults.
type corsReloader struct {
	cors   *cors.CORS
	opts   corsOptions
	logger *slog.Logger
	settle time.Duration // see defaultSettle
	quiet  time.Duration // see defaultQuiet
}

// Reload waits until the file is stable, reads it and, when it holds a
// valid policy, puts it in force through Update: requests being served
// finish with the old policy, later ones get the new one, and none is
// dropped. On error the policy in force stays.
//
// A file being rewritten in place is never put in force half-written:
// Reload reads it twice, a settle interval apart, and goes on only when
// both reads agree (content, size and modification time). A file whose last
// line has no newline must stay unchanged for four intervals, since an
// editor caught mid-write leaves exactly that. To replace the file at once,
// write a temporary file in the same directory and rename it over the old
// one.
func (r *corsReloader) Reload() error {
	if r.opts.file == "" {
		return errors.New("no -cors-config file to reload: the policy comes from the flags")
	}
	err := r.reload(context.Background())
	if err != nil {
		return fmt.Errorf("reloading %s: %w", r.opts.file, err)
	}
	return nil
}

func (r *corsReloader) reload(ctx context.Context) error {
	data, err := readStable(ctx, r.opts.file, orDefault(r.settle, defaultSettle))
	if err != nil {
		return err
	}
	cfg, err := cors.ParseConfig(bytes.NewReader(data), r.opts.file)
	if err != nil {
		return err
	}
	cfg.Logger = r.logger
	return r.cors.Update(func(c *cors.Config) { *c = cfg })
}

// orDefault returns d, or def when d is zero.
func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// fileSnapshot is what one read of the file found.
type fileSnapshot struct {
	data  []byte
	size  int64
	mtime time.Time
}

func readSnapshot(path string) (fileSnapshot, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileSnapshot{}, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fileSnapshot{}, err
	}
	return fileSnapshot{data: data, size: fi.Size(), mtime: fi.ModTime()}, nil
}

func (a fileSnapshot) same(b fileSnapshot) bool {
	return a.size == b.size && int64(len(a.data)) == a.size && a.mtime.Equal(b.mtime) && bytes.Equal(a.data, b.data)
}

// readStable returns the content of the file at path once two reads, settle
// apart, agree; four in a row when the content does not end with a newline.
// It gives up after settleTries intervals of change.
func readStable(ctx context.Context, path string, settle time.Duration) ([]byte, error) {
	prev, err := readSnapshot(path)
	if err != nil {
		return nil, err
	}
	stable := 0
	for range settleTries {
		if err := sleep(ctx, settle); err != nil {
			return nil, err
		}
		cur, err := readSnapshot(path)
		if err != nil {
			return nil, err
		}
		if !cur.same(prev) {
			prev, stable = cur, 0
			continue
		}
		stable++
		if complete := bytes.HasSuffix(cur.data, []byte("\n")); complete || stable >= 4 {
			return cur.data, nil
		}
	}
	return nil, fmt.Errorf("the file kept changing for %v: write a temporary file and rename it over the old one", settle*settleTries)
}

// sleep waits for d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// watch reloads the policy after the signals on hup (SIGHUP) stop for the
// quiet interval, so that a burst of signals is one reload, and logs the
// outcome, until ctx is done.
func (r *corsReloader) watch(ctx context.Context, hup <-chan os.Signal) {
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			quiet.Reset(orDefault(r.quiet, defaultQuiet))
		case <-quiet.C:
			r.reloadAndLog(ctx)
		}
	}
}

func (r *corsReloader) reloadAndLog(ctx context.Context) {
	if r.opts.file == "" {
		r.logger.Error("cors: reload failed, the previous policy stays in force", "error", "no -cors-config file to reload: the policy comes from the flags")
		return
	}
	if err := r.reload(ctx); err != nil {
		if ctx.Err() == nil {
			r.logger.Error("cors: reload failed, the previous policy stays in force", "file", r.opts.file, "error", err)
		}
		return
	}
	r.logger.Info("cors: policy reloaded", "file", r.opts.file, "policy", describeCORS(r.cors.Config()))
}
