//go:build !race

package microdot_test

const raceDetector = false
