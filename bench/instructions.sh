#!/usr/bin/env bash
# instructions.sh counts the machine instructions that one op of a
# benchmark executes, under valgrind's cachegrind (Debian package valgrind),
# and prints the counts with the App's ratios to gin and httprouter.
# Unlike ns/op, the count does not depend on what else the machine is doing,
# so it tells apart changes of a few percent that a shared machine's timing
# noise hides. It does not see cache misses or the garbage collector's
# background work (GOGC is off here), so it complements ns/op and does not
# replace it.
#
#	cd bench && ./instructions.sh
#
# Each benchmark runs twice, for N and 3N ops; the difference, divided by
# 2N, leaves out everything done once (building the routers, the checks).
# GOMAXPROCS=1 keeps idle threads from spinning, which would add a varying
# count.
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "instructions.sh needs valgrind (apt-get install valgrind)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/bench.test" .
export GOMAXPROCS=1 GOGC=off

count() { # count BENCH-REGEX OPS: instructions of a run
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
		"$dir/bench.test" -test.run XXX -test.bench "$1" -test.benchtime "$2x" 2>&1 |
		awk '/I *refs:/ { gsub(",", "", $NF); print $NF }'
}

perop() { # perop CASE CONTENDER N: prints "CASE/CONTENDER instructions-per-op"
	local re="^Benchmark$1\$/^$2\$" a b
	a=$(count "$re" "$3")
	b=$(count "$re" $((3 * $3)))
	echo "$1/$2 $(((b - a) / (2 * $3)))"
}

{
	for c in Static Param StaticText ParamText; do
		for r in httprouter gin microdot-hooks; do perop "$c" "$r" 20000 & done
		wait
	done
	perop Static microdot-hooks-shared 20000
	for r in httprouter gin microdot-hooks; do perop GitHubAPI "$r" 200 & done
	wait
	for c in non-CORS actual-allowed preflight-3-headers preflight-disallowed-origin preflight-1000-names; do
		perop "CORSApp/$c" microdot-app 20000 &
		perop "CORSApp/$c" httprouter-jub0bs 20000 &
		wait
	done
} | sort | awk '
	{ n[$1] = $2; order[++k] = $1 }
	END {
		for (i = 1; i <= k; i++) {
			name = order[i]; line = sprintf("%-52s %9d", name, n[name])
			split(name, p, "/"); base = name; sub(/\/[^\/]*$/, "", base)
			if (p[length(p)] ~ /^microdot/) {
				if ((base "/gin") in n) line = line sprintf("  %.2fx gin", n[name] / n[base "/gin"])
				if ((base "/httprouter") in n) line = line sprintf("  %.2fx httprouter", n[name] / n[base "/httprouter"])
				if ((base "/httprouter-jub0bs") in n) line = line sprintf("  %.2fx httprouter+jub0bs", n[name] / n[base "/httprouter-jub0bs"])
			}
			print line
		}
	}'
