#!/usr/bin/env bash
# wrk.sh measures the throughput of whole HTTP requests over loopback with a
# real load generator, wrk (Debian package wrk): one server per contender
# (bench/wrkserver: the App with two hooks, bare httprouter, gin, chi, echo,
# all answering GET /hello with the same response), each with GOMAXPROCS=1.
# A shared machine's speed drifts within seconds, so every run is paired
# with the bare httprouter runs just before and after it: a round is
#
#	httprouter, A, httprouter, B, httprouter, C, httprouter, D, httprouter
#
# with the other contenders in an order that rotates from round to round,
# and a contender's ratio in a round is its throughput over the mean of its
# two neighbours'. The script prints, over ROUNDS rounds (default 20), the
# median and the range of each contender's ratios to httprouter and of the
# App's ratios to each peer (its ratio over theirs, round by round), with
# the median requests per second. The ratio of one httprouter run to the
# next shows the noise of the machine. The same ratios follow for the
# requests served per CPU second of the server (utime + stime from
# /proc/PID/stat), which other load on the machine moves much less.
#
#	cd bench && ./wrk.sh
#	ROUNDS=3 DURATION=1s ./wrk.sh
#	REPORT_ONLY=1 ./wrk.sh        # the figures of the last run again
#	WRITE_TIMEOUT=30s ./wrk.sh    # every server with the WriteTimeout of NewServer
#
# wrk keeps CONNECTIONS (default 32) connections from THREADS (default 1)
# threads for DURATION (default 1s) per run, after a warm-up of each
# server. The raw wrk output of every run is kept in wrk.out.
set -euo pipefail
cd "$(dirname "$0")"
out=wrk.out
base=httprouter app=microdot-hooks
contenders=("$base" "$app" gin chi echo)

if [[ -z ${REPORT_ONLY:-} ]]; then
	command -v wrk >/dev/null || { echo "wrk.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
	rounds=${ROUNDS:-20} duration=${DURATION:-1s}
	wrkargs=(-t "${THREADS:-1}" -c "${CONNECTIONS:-32}")
	dir=$(mktemp -d)
	pids=()
	cleanup() {
		for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
		rm -rf "$dir"
	}
	trap cleanup EXIT
	go build -o "$dir/wrkserver" ./wrkserver
	declare -A url spid
	for c in "${contenders[@]}"; do
		GOMAXPROCS=1 "$dir/wrkserver" -router "$c" -write-timeout "${WRITE_TIMEOUT:-0}" >"$dir/$c.log" 2>&1 &
		pids+=($!)
		spid[$c]=$!
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
	others=("${contenders[@]:1}")
	n=${#others[@]}
	ticks() { # ticks PID: the CPU time the process has used, in clock ticks
		awk '{ print $14 + $15 }' "/proc/$1/stat"
	}
	run() { # run ROUND NAME: one wrk run, appended to $out
		local res t0 t1
		t0=$(ticks "${spid[$2]}")
		res=$(wrk "${wrkargs[@]}" -d "$duration" "${url[$2]}")
		t1=$(ticks "${spid[$2]}")
		if grep -q -e 'Non-2xx' -e 'Socket errors' <<<"$res"; then
			echo "$2: errors under load:" >&2
			echo "$res" >&2
			exit 1
		fi
		printf '== round %d %s\n%s\n== server cpu ticks %d\n' "$1" "$2" "$res" $((t1 - t0)) >>"$out"
	}
	for ((r = 1; r <= rounds; r++)); do
		echo "round $r of $rounds" >&2
		run "$r" "$base"
		for ((k = 0; k < n; k++)); do
			run "$r" "${others[$(((r - 1 + k) % n))]}"
			run "$r" "$base"
		done
	done
fi

awk -v base="$base" -v app="$app" -v list="${contenders[*]}" '
	/^== round / { round = $3; name = $4 }
	/ requests in / { reqs = $1 }
	/^Requests\/sec:/ {
		k = ++runs[round]; who[round, k] = name; rps[round, k] = $2
		if (round > rounds) rounds = round
	}
	/^== server cpu ticks / { eff[round, k] = $5 ? reqs / $5 : 0 }
	function sort(v, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	}
	function median(v, n) { return n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2 }
	function show(label, v, n) {
		sort(v, n)
		printf "%-40s %.3f  (%.3f-%.3f, n=%d)\n", label, median(v, n), v[1], v[n], n
	}
	function table(rr,   i, c, n, r, v) { # the ratios rr[round, name] of each contender, and the App over each peer
		for (i = 1; i in names; i++) {
			c = names[i]
			if (c == base) continue
			n = 0
			for (r = 1; r <= rounds; r++) if ((r, c) in rr) v[++n] = rr[r, c]
			if (n) show(c " / " base, v, n)
		}
		for (i = 1; i in names; i++) {
			c = names[i]
			if (c == base || c == app) continue
			n = 0
			for (r = 1; r <= rounds; r++) if ((r, c) in rr && (r, app) in rr) v[++n] = rr[r, app] / rr[r, c]
			if (n) show(app " / " c, v, n)
		}
	}
	END {
		# ratio[round, name]: the run over the mean of the httprouter runs
		# around it; all[name]: every run of name, for the median req/s.
		for (r = 1; r <= rounds; r++)
			for (k = 1; k <= runs[r]; k++) {
				c = who[r, k]
				all[c, ++count[c]] = rps[r, k]
				if (c == base) {
					if (k > 1 && who[r, k-2] == base) noise[++nn] = rps[r, k] / rps[r, k-2]
					continue
				}
				if (who[r, k-1] == base && who[r, k+1] == base) {
					ratio[r, c] = rps[r, k] / ((rps[r, k-1] + rps[r, k+1]) / 2)
					if (eff[r, k-1] && eff[r, k+1])
						cpu[r, c] = eff[r, k] / ((eff[r, k-1] + eff[r, k+1]) / 2)
				}
			}
		split(list, names, " ")
		printf "median requests/s:"
		for (i = 1; i in names; i++) {
			c = names[i]; delete v
			for (j = 1; j <= count[c]; j++) v[j] = all[c, j]
			sort(v, count[c])
			printf " %s %.0f;", c, median(v, count[c])
		}
		printf "\n\nthroughput ratio, paired (median, range)\n"
		table(ratio)
		if (nn) show(base " / the " base " run before", noise, nn)
		printf "\nrequests per CPU second of the server, paired (median, range)\n"
		table(cpu)
	}' "$out"
