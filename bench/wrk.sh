#!/usr/bin/env bash
# wrk.sh measures the throughput of whole HTTP requests over loopback with a
# real load generator, wrk (Debian package wrk): one server per contender
# (bench/wrkserver: the App with two hooks, bare httprouter, gin, chi, echo,
# all answering GET /hello with the same response), each with GOMAXPROCS=1,
# and wrk against each in turn, ROUNDS times (default 7). Each round runs
# every contender once, starting with a different one each round; the
# throughput of each is divided by bare httprouter's of the same round, and
# the script prints the median and the range of these paired ratios, with
# the median requests per second.
#
#	cd bench && ./wrk.sh
#	ROUNDS=3 DURATION=3s ./wrk.sh
#	REPORT_ONLY=1 ./wrk.sh        # the figures of the last run again
#
# CONNECTIONS (default 32) keep-alive connections from THREADS (default 1)
# wrk threads, for DURATION (default 5s) per run, after a warm-up of each
# server. The raw wrk output of every run is kept in wrk.out.
set -euo pipefail
cd "$(dirname "$0")"
out=wrk.out
contenders=(microdot-hooks httprouter gin chi echo)

if [[ -z ${REPORT_ONLY:-} ]]; then
	command -v wrk >/dev/null || { echo "wrk.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
	rounds=${ROUNDS:-7} duration=${DURATION:-5s}
	wrkargs=(-t "${THREADS:-1}" -c "${CONNECTIONS:-32}")
	dir=$(mktemp -d)
	pids=()
	cleanup() {
		for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
		rm -rf "$dir"
	}
	trap cleanup EXIT
	go build -o "$dir/wrkserver" ./wrkserver
	declare -A url
	for c in "${contenders[@]}"; do
		GOMAXPROCS=1 "$dir/wrkserver" -router "$c" >"$dir/$c.log" 2>&1 &
		pids+=($!)
		for _ in $(seq 100); do
			grep -q '^listening on ' "$dir/$c.log" && break
			sleep 0.1
		done
		addr=$(sed -n 's/^listening on //p' "$dir/$c.log")
		[[ -n $addr ]] || { echo "$c did not start: $(cat "$dir/$c.log")" >&2; exit 1; }
		url[$c]="http://$addr/hello"
		# Every contender must send the same response before it is timed.
		got=$(curl -s -D - "${url[$c]}" | tr -d '\r' | grep -i -e '^HTTP/' -e '^content-type:' -e '^hello$' | tr 'A-Z' 'a-z' | tr '\n' '|')
		want='http/1.1 200 ok|content-type: text/plain; charset=utf-8|hello|'
		[[ $got == "$want" ]] || { echo "$c answered $got, want $want" >&2; exit 1; }
		wrk "${wrkargs[@]}" -d 1s "${url[$c]}" >/dev/null # warm-up
	done
	: >"$out"
	n=${#contenders[@]}
	for ((r = 1; r <= rounds; r++)); do
		echo "round $r of $rounds" >&2
		for ((k = 0; k < n; k++)); do
			c=${contenders[$(((r - 1 + k) % n))]}
			res=$(wrk "${wrkargs[@]}" -d "$duration" "${url[$c]}")
			if grep -q -e 'Non-2xx' -e 'Socket errors' <<<"$res"; then
				echo "$c: errors under load:" >&2
				echo "$res" >&2
				exit 1
			fi
			printf '== round %d %s\n%s\n' "$r" "$c" "$res" >>"$out"
		done
	done
fi

awk -v base=httprouter -v list="${contenders[*]}" '
	/^== round / { round = $3; name = $4 }
	/^Requests\/sec:/ { rps[round "|" name] = $2; if (round > rounds) rounds = round }
	function sort(v, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	}
	function median(v, n) { return n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2 }
	END {
		printf "%-16s %12s   %s\n", "contender", "median req/s", "throughput / " base " (paired: median, range, rounds)"
		split(list, names, " ")
		for (k = 1; k in names; k++) {
			c = names[k]; n = 0; m = 0
			delete ratios; delete all
			for (r = 1; r <= rounds; r++) {
				if ((r "|" c) in rps) all[++m] = rps[r "|" c]
				if ((r "|" c) in rps && (r "|" base) in rps) ratios[++n] = rps[r "|" c] / rps[r "|" base]
			}
			if (m == 0) continue
			sort(all, m); sort(ratios, n)
			printf "%-16s %12.0f   %.3f (%.3f-%.3f, %d)\n", c, median(all, m), median(ratios, n), ratios[1], ratios[n], n
		}
	}' "$out"
