#!/usr/bin/env bash
# wrkinstructions.sh counts the machine instructions that a server executes
# per request under real load: each contender's bench/wrkserver runs under
# valgrind's cachegrind (Debian package valgrind), with GOMAXPROCS=1 and
# the garbage collector on, while wrk (Debian package wrk) sends it GET
# /hello over loopback. Each contender is loaded twice, for SHORT and LONG
# seconds (default 3 and 12); the difference of the two counts over the
# difference of the requests served leaves out the server's start and exit.
#
# wrk.sh's throughput ratios swing by 10-20% from run to run on a shared
# machine; these counts move by about 1%, so they tell apart changes that
# wrk cannot. They leave out the kernel's share (the system calls, the same
# for every contender) and cache misses, which is why the App's ratio here
# is a little kinder than its throughput ratio.
#
#	cd bench && ./wrkinstructions.sh
#	WRITE_TIMEOUT=30s ./wrkinstructions.sh      # every server with NewServer's WriteTimeout
#	CONTENDERS="httprouter microdot-hooks" ./wrkinstructions.sh
set -euo pipefail
cd "$(dirname "$0")"
for tool in valgrind wrk; do
	command -v "$tool" >/dev/null || { echo "wrkinstructions.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done
read -r -a contenders <<<"${CONTENDERS:-httprouter microdot-hooks microdot-hooks-unbounded gin chi echo}"
short=${SHORT:-3} long=${LONG:-12}
dir=$(mktemp -d)
vpid=
cleanup() {
	if [[ -n $vpid ]]; then kill "$vpid" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT
go build -o "$dir/wrkserver" ./wrkserver

load() { # load CONTENDER SECONDS: prints "requests instructions"
	local log=$dir/$1.log addr reqs
	GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
		"$dir/wrkserver" -router "$1" -write-timeout "${WRITE_TIMEOUT:-0}" >"$log" 2>&1 &
	vpid=$!
	for _ in $(seq 300); do
		grep -q '^listening on ' "$log" && break
		sleep 0.1
	done
	addr=$(sed -n 's/^listening on //p' "$log")
	[[ -n $addr ]] || { echo "$1 did not start: $(cat "$log")" >&2; exit 1; }
	reqs=$(wrk -t 1 -c 8 -d "${2}s" "http://$addr/hello" | awk '/ requests in / { print $1 }')
	kill -TERM "$vpid"
	wait "$vpid" || true
	vpid=
	echo "$reqs $(awk '/I *refs:/ { gsub(",", "", $NF); print $NF }' "$log")"
}

for c in "${contenders[@]}"; do
	load "$c" "$short" >"$dir/short"
	load "$c" "$long" >"$dir/long"
	read -r r1 i1 <"$dir/short"
	read -r r2 i2 <"$dir/long"
	echo "$c $(((i2 - i1) / (r2 - r1)))"
done >"$dir/counts"
awk '
	{ n[$1] = $2; order[++k] = $1 }
	END {
		printf "instructions per request, server only (GOMAXPROCS=1, GC on)\n"
		for (i = 1; i <= k; i++) {
			c = order[i]
			line = sprintf("%-28s %7d", c, n[c])
			if ("httprouter" in n && c != "httprouter")
				line = line sprintf("   httprouter / %s: %.3f", c, n["httprouter"] / n[c])
			print line
		}
	}' "$dir/counts"
