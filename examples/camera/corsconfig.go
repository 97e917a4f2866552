package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/microdot-go/microdot/microdot/cors"
)

// corsOptions are the command-line settings of the CORS policy.
type corsOptions struct {
	origins  string // -cors-origin: comma-separated origins; "" means the dashboard's
	file     string // -cors-config: a wsgicors-style file that replaces the flags
	insecure bool   // -cors-allow-insecure-origins
}

// flagCORSConfig returns the policy of the common case: the dashboard's
// origins may call every endpoint with credentials (the session cookie or
// an Authorization header) and read the frame headers.
func flagCORSConfig(origins []string) cors.Config {
	return cors.Config{
		AllowedOrigins:   origins,
		AllowCredentials: true,
		// GET and POST need no preflight, but listing them says what the
		// API serves; PUT is the settings change, which is preflighted.
		AllowedMethods: []string{"GET", "PUT", "POST"},
		// Content-Type: application/json and Authorization are not
		// CORS-safelisted, so the preflight must allow them by name.
		AllowedHeaders: []string{"Content-Type", "Authorization"},
		// Scripts read these from snapshots; other headers they may read
		// anyway (Content-Type, Content-Length, Cache-Control ...).
		ExposeHeaders: []string{hFrameNumber, hFrameResolution},
		// Browsers may cache a preflight for ten minutes (Chromium caps it
		// at two hours, WebKit at ten minutes).
		MaxAge: 600,
	}
}

// corsConfig returns the policy to start with: the file's when -cors-config
// is given, otherwise the flags' with the given default origins.
func corsConfig(opts corsOptions, defaultOrigins []string, logger *slog.Logger) (cors.Config, error) {
	if opts.file != "" {
		if opts.origins != "" {
			return cors.Config{}, errors.New("-cors-origin and -cors-config cannot be combined: put the origins in the file")
		}
		if opts.insecure {
			return cors.Config{}, errors.New("-cors-allow-insecure-origins applies to -cors-origin only: the file format has no keyword for it")
		}
		return loadCORSFile(opts, logger)
	}
	origins := defaultOrigins
	if opts.origins != "" {
		origins = nil
		for _, o := range strings.Split(opts.origins, ",") {
			if o = strings.TrimSpace(o); o != "" {
				origins = append(origins, o)
			}
		}
	}
	cfg := flagCORSConfig(origins)
	cfg.Logger = logger
	cfg.DangerouslyAllowInsecureOrigins = opts.insecure
	return cfg, nil
}

// loadCORSFile reads the policy of opts.file. The file is validated on its
// own: the wsgicors format has no keyword for
// DangerouslyAllowInsecureOrigins, so plain-http origins other than
// loopback ones cannot be combined with credentials there (use -cors-origin
// with -cors-allow-insecure-origins for a LAN).
func loadCORSFile(opts corsOptions, logger *slog.Logger) (cors.Config, error) {
	cfg, err := cors.LoadFile(opts.file)
	if err != nil {
		return cors.Config{}, err
	}
	cfg.Logger = logger
	return cfg, nil
}

// describeCORS summarises a policy for the log.
func describeCORS(c cors.Config) string {
	if len(c.Policies) == 0 {
		return fmt.Sprintf("origins=%s credentials=%t methods=%s", strings.Join(c.AllowedOrigins, ","),
			c.AllowCredentials, strings.Join(c.AllowedMethods, ","))
	}
	var b strings.Builder
	for i, p := range c.Policies {
		if i > 0 {
			b.WriteString("; ")
		}
		if p.Name == cors.DenyPolicy {
			b.WriteString(p.Name)
			continue
		}
		fmt.Fprintf(&b, "%s: origins=%s credentials=%t", p.Name, strings.Join(p.AllowedOrigins, ","), p.AllowCredentials)
	}
	return b.String()
}
