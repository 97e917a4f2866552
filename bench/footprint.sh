#!/usr/bin/env bash
# footprint.sh gives the camera example's footprint on small boards: it
# cross-compiles examples/camera for linux/arm (GOARM=6, as on a Raspberry
# Pi Zero or 1) and linux/arm64, plain and with -ldflags="-s -w" (no symbol
# table, no DWARF), and prints the sizes of the binaries. Unless given
# "sizes", it then runs the example built for this machine on free loopback
# ports, leaves it idle (no client) for IDLE seconds (default 5), and prints
# its resident memory (VmRSS in /proc/PID/status) and Go's heap figures
# (runtime.MemStats from the example's -debug-addr /debug/vars).
#
#	bench/footprint.sh          # sizes and idle memory
#	bench/footprint.sh sizes    # sizes only (what CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
dir=$(mktemp -d)
pid=
cleanup() {
	if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT

kib() { echo "$(($(stat -c %s "$1") / 1024)) KiB"; }

echo "camera example, $(go version | cut -d' ' -f3), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
for target in arm:6 arm64:; do
	arch=${target%%:*} arm=${target#*:}
	GOOS=linux GOARCH=$arch GOARM=$arm go build -o "$dir/camera-$arch" ./examples/camera
	GOOS=linux GOARCH=$arch GOARM=$arm go build -ldflags="-s -w" -o "$dir/camera-$arch-stripped" ./examples/camera
	echo "linux/$arch${arm:+ GOARM=$arm}: $(kib "$dir/camera-$arch"), with -s -w $(kib "$dir/camera-$arch-stripped")"
done
[[ ${1:-} == sizes ]] && exit 0

go build -o "$dir/camera" ./examples/camera
"$dir/camera" -api 127.0.0.1:0 -dashboard 127.0.0.1:0 -debug-addr 127.0.0.1:0 >"$dir/out" 2>"$dir/log" &
pid=$!
for _ in $(seq 100); do
	grep -q '^debug: ' "$dir/out" && break
	sleep 0.1
done
vars=$(sed -n 's/^debug: //p' "$dir/out")
[[ -n $vars ]] || { echo "the camera example did not start: $(cat "$dir/log")" >&2; exit 1; }
sleep "${IDLE:-5}"
rss=$(awk '/^VmRSS:/ { print $2 " " $3 }' "/proc/$pid/status")
memstats=$(curl -s "$vars" | tr ',{' '\n\n' | grep -E '"(HeapAlloc|HeapInuse|HeapSys|Sys|NumGC)":' | tr -d '" ' | tr '\n' ' ')
echo "$(go env GOOS)/$(go env GOARCH), idle ${IDLE:-5} s after start: VmRSS $rss; $memstats(bytes)"
