// Package e2e holds the end-to-end tests of the examples: they build an
// example, run it, and drive its pages in a real headless Chromium through
// the DevTools protocol (github.com/chromedp/chromedp).
//
// It is a module of its own, so that users of microdot never inherit
// chromedp. Run it from this directory:
//
//	apt-get install chromium        # or set CHROME_PATH to a Chrome binary
//	go test ./... -v -count=1
//
// Without a browser the tests skip. With -update-screenshot they also write
// the dashboard screenshot that the documentation shows,
// docs/camera-dashboard.png; every run writes it to
// e2e/screenshots/camera-dashboard.tmp.png, which git ignores.
package e2e
