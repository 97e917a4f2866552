//go:build race

package microdot_test

// raceDetector is true under -race, which makes sync.Pool drop objects at
// random, so allocation counts are not those of a normal build.
const raceDetector = true
