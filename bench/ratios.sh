#!/usr/bin/env bash
# ratios.sh runs the comparison benchmarks ROUNDS times (default 7), one
# whole pass per round, and prints for each pair of contenders the median of
# the per-round ratios of their ns/op. Pairing the two sides of a ratio
# within one pass cancels most of the drift of a shared machine, which
# moves single figures by 10-20% over the minutes a long run takes.
#
#	cd bench && ./ratios.sh                 # 7 rounds of every benchmark
#	ROUNDS=3 BENCHTIME=500ms ./ratios.sh
#	BENCH=Server ./ratios.sh                # only the benchmarks matching BENCH
#	REPORT_ONLY=1 ./ratios.sh               # the ratios of the last run again
#
# The raw output of every round is kept in ratios.out (for benchstat, or for
# the medians of single figures).
set -euo pipefail
cd "$(dirname "$0")"
out=ratios.out

if [[ -z ${REPORT_ONLY:-} ]]; then
	rounds=${ROUNDS:-7}
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
	go test -c -o "$dir/bench.test" .
	: >"$out"
	for ((i = 1; i <= rounds; i++)); do
		echo "round $i of $rounds" >&2
		"$dir/bench.test" -test.run XXX -test.bench "${BENCH:-.}" -test.benchmem -test.benchtime "${BENCHTIME:-1s}" >>"$out"
	done
fi

# Each pass starts with its "goos:" line; a benchmark's name loses its -N
# GOMAXPROCS suffix.
awk '
	/^goos:/ { round++ }
	/^Benchmark/ { name = $1; sub(/-[0-9]+$/, "", name); ns[round "|" name] = $3 }
	function ratio(a, b, label,   r, n, vals, i, j, t, med) {
		n = 0
		for (r = 1; r <= round; r++)
			if ((r "|" a) in ns && (r "|" b) in ns) vals[++n] = ns[r "|" a] / ns[r "|" b]
		if (n == 0) return
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && vals[j-1] > vals[j]; j--) { t = vals[j]; vals[j] = vals[j-1]; vals[j-1] = t }
		med = n % 2 ? vals[(n+1)/2] : (vals[n/2] + vals[n/2+1]) / 2
		printf "%-72s %5.2f  (min %.2f, max %.2f, %d rounds)\n", label, med, vals[1], vals[n], n
	}
	END {
		split("Static Param GitHubAPI StaticText ParamText Server/body-only Server/equal-output", cases, " ")
		for (k = 1; k in cases; k++) {
			c = cases[k]
			ratio("Benchmark" c "/microdot-hooks", "Benchmark" c "/gin", c ": App with hooks / gin")
			ratio("Benchmark" c "/microdot-hooks", "Benchmark" c "/httprouter", c ": App with hooks / httprouter")
		}
		ratio("BenchmarkRouteSet/conflicting", "BenchmarkRouteSet/plain", "RouteSet GET /hello: beside /users/new etc. / without")
		ratio("BenchmarkRouteSet/param-conflicting", "BenchmarkRouteSet/param-plain", "RouteSet GET /users/42: beside /users/new etc. / without")
		ratio("BenchmarkStatic/microdot-hooks-shared", "BenchmarkStatic/gin", "Static: App with hooks, shared Response / gin")
		split("non-CORS actual-allowed preflight-3-headers preflight-disallowed-origin preflight-1000-names", cors, " ")
		for (k = 1; k in cors; k++) {
			c = cors[k]
			ratio("BenchmarkCORS/" c "/microdot", "BenchmarkCORS/" c "/jub0bs", "CORS " c ": Handler / jub0bs")
			ratio("BenchmarkCORS/" c "/microdot", "BenchmarkCORS/" c "/rs", "CORS " c ": Handler / rs")
			ratio("BenchmarkCORSApp/" c "/microdot-app", "BenchmarkCORSApp/" c "/httprouter-jub0bs", "CORS " c ": App + extension / httprouter + jub0bs")
			ratio("BenchmarkCORSAppServer/" c "/microdot-app", "BenchmarkCORSAppServer/" c "/httprouter-jub0bs", "CORS " c ", real server: App + extension / httprouter + jub0bs")
		}
	}' "$out"
