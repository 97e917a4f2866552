package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunDebugAddr(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, logs lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-debug-addr", "127.0.0.1:0", "-password", "s3cret"}, &stdout, &logs)
	}()
	var vars string
	deadline := time.Now().Add(10 * time.Second)
	for vars == "" {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, logs.String())
		default:
		}
		require.False(t, time.Now().After(deadline), "no debug URL printed:\n%s", stdout.String())
		time.Sleep(10 * time.Millisecond)
		sc := bufio.NewScanner(strings.NewReader(stdout.String()))
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "debug: "); ok {
				vars = u
			}
		}
	}
	require.True(t, strings.HasPrefix(vars, "http://127.0.0.1:") && strings.HasSuffix(vars, "/debug/vars"), vars)
	base := strings.TrimSuffix(vars, "/debug/vars")

	res, body := get(t, vars)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	var v struct {
		Goroutines int `json:"goroutines"`
		Memstats   struct {
			HeapAlloc uint64
			Sys       uint64
		} `json:"memstats"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &v), body)
	assert.Positive(t, v.Goroutines)
	assert.Positive(t, v.Memstats.HeapAlloc)
	assert.NotContains(t, body, `"cmdline"`)
	assert.NotContains(t, body, "s3cret", "the password given on the command line is shown")

	res, _ = get(t, base+"/debug/pprof/heap?gc=1")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	res, body = get(t, base+"/debug/pprof/cmdline")
	assert.NotEqual(t, http.StatusOK, res.StatusCode)
	assert.NotContains(t, body, "s3cret")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return within 15 s of its context being cancelled")
	}
	_, err := http.Get(vars)
	assert.Error(t, err, "the debug listener still answers after shutdown")
}

func TestRunDebugAddrLoopbackOnly(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "nonsense"} {
		var out, errs bytes.Buffer
		err := run(context.Background(), []string{"-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-debug-addr", addr}, &out, &errs)
		assert.ErrorContains(t, err, "-debug-addr", addr)
		assert.Empty(t, out.String(), "nothing is served after a refused -debug-addr")
	}
}
