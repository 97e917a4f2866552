#!/usr/bin/env bash
# Runs the full load test of the camera example, whose figures
# docs/reliability.md reports ("Load"): 30 s of wrk (mix.lua) against the
# camera built from examples/camera, with 4 MJPEG viewers open throughout.
# Needs wrk (Debian: apt-get install -y wrk). Everything stays on
# 127.0.0.1, and the camera and wrk are stopped when the test ends.
#
#   reliability/load/run.sh                  # the documented run
#   LOAD_DURATION=60s reliability/load/run.sh
#   reliability/load/run.sh -load-connections=16 -load-mix=api
#
# Extra arguments go to the test (see load_test.go for its flags). The
# FIGURE lines at the end are the measurements.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
	echo "run.sh: wrk is not installed (Debian: apt-get install -y wrk)" >&2
	exit 1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
go test -count=1 -timeout 5m -v -run '^TestLoad$' ./load \
	-load-duration="${LOAD_DURATION:-30s}" "$@" >"$out" 2>&1 || status=$?
cat "$out"
echo
echo "== figures"
grep -o 'FIGURE .*' "$out" || true
exit "$status"
