#!/usr/bin/env bash
# scripts/fuzz.sh: fuzzing beyond CI.
#
# CI runs the fuzz targets' seed corpora as ordinary tests only. This script
# actually fuzzes: it runs every fuzz target of the repository (every
# `func FuzzXxx(f *testing.F)` in a *_test.go file, in any of the repository's
# modules), one after the other, for $FUZZTIME each:
#
#	go test -run '^$' -fuzz '^FuzzXxx$' -fuzztime "$FUZZTIME" -parallel "$FUZZPARALLEL" .
#
# run in the target's package directory.
#
# - It stops at the first failure. go test has then saved the failing input
#   as testdata/fuzz/<Target>/<file> in the package: keep that file and commit
#   it with the fix, so that it runs as a regression test in every `go test`.
#   The script prints the file and the command that reproduces the failure.
# - After each target that passes, it copies the "interesting" inputs the
#   fuzzer found (those that reached new code) from Go's fuzz cache,
#   $(go env GOCACHE)/fuzz/<import path>/<Target>/, into the package's
#   testdata/fuzz/<Target>/, where `go test` runs them as seed inputs. The
#   selection is bounded so that the repository does not bloat: smallest
#   files first, none over $FUZZCORPUSMAXBYTES bytes, no duplicate content,
#   only files whose values have the target's types, and at most
#   $FUZZCORPUSMAX files per target directory (files already there count).
#   It then runs the target's seed corpus once as a plain test, and removes
#   what it copied if that fails. Review the new files and commit them.
#
# Usage, from anywhere in the repository (needs only Go and bash):
#
#	FUZZTIME=5m scripts/fuzz.sh                       # every target, 5 minutes each
#	FUZZTIME=30s scripts/fuzz.sh FuzzACRH FuzzPattern  # only these targets
#	scripts/fuzz.sh microdot/cors:FuzzACRH             # a target of one package
#	scripts/fuzz.sh -l                                 # list the targets
#
# Environment:
#	FUZZTIME            time per target, a go test -fuzztime value (default 5m;
#	                    "1000x" means 1000 executions)
#	FUZZPARALLEL        fuzzing worker processes (default 1, so that the
#	                    machine stays usable; go test's own default is GOMAXPROCS)
#	FUZZCORPUSMAX       most files kept per testdata/fuzz/<Target> (default 200)
#	FUZZCORPUSMAXBYTES  largest cache file copied, in bytes (default 4096)
#	FUZZCOPY            set to 0 not to copy anything from the cache
set -euo pipefail

FUZZTIME="${FUZZTIME:-5m}"
FUZZPARALLEL="${FUZZPARALLEL:-1}"
FUZZCORPUSMAX="${FUZZCORPUSMAX:-200}"
FUZZCORPUSMAXBYTES="${FUZZCORPUSMAXBYTES:-4096}"
FUZZCOPY="${FUZZCOPY:-1}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

usage() {
	sed -n '2,/^set -euo pipefail$/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# discover prints one line per fuzz target, "<package dir>:<Target>", the
# directory relative to the repository root, sorted.
discover() {
	local file dir name
	{ grep -rlE --include='*_test.go' --exclude-dir=testdata --exclude-dir=vendor \
		--exclude-dir='.?*' '^func Fuzz[A-Za-z0-9_]*\(' . || true; } |
		while IFS= read -r file; do
			dir="$(dirname "${file#./}")"
			{ grep -oE '^func Fuzz[A-Za-z0-9_]*\([A-Za-z_][A-Za-z0-9_]* \*testing\.F\)' "$file" || true; } |
				while IFS= read -r name; do
					name="${name#func }"
					printf '%s:%s\n' "$dir" "${name%%(*}"
				done
		done | LC_ALL=C sort -u
}

# signature prints the types of the values in a corpus file, one per line
# ("string", "[]byte", "int64", ...), or nothing if the file is not in Go's
# corpus format.
signature() {
	local file="$1" first
	IFS= read -r first <"$file" || return 0
	[ "$first" = "go test fuzz v1" ] || return 0
	tail -n +2 "$file" | sed -n 's/^\([][a-z0-9]*\)(.*)$/\1/p'
}

# copy_corpus copies a bounded selection of the fuzz cache's inputs for one
# target into the package's testdata/fuzz/<Target>. It prints what it did.
copy_corpus() {
	local dir="$1" name="$2" gocache importpath cache dest
	gocache="$(go env GOCACHE)"
	if [ -z "$gocache" ] || [ "$gocache" = "off" ]; then
		echo "corpus: the Go build cache is off, nothing to copy"
		return 0
	fi
	importpath="$(cd "$dir" && go list -f '{{.ImportPath}}' .)"
	cache="$gocache/fuzz/$importpath/$name"
	dest="$dir/testdata/fuzz/$name"
	if [ ! -d "$cache" ]; then
		echo "corpus: no cache directory $cache, nothing to copy"
		return 0
	fi

	local tmp sizes expected
	tmp="$(mktemp -d)"
	# The list of "<size> <path>" of the cache's files, smallest first.
	sizes="$tmp/sizes"
	: >"$sizes"
	local f
	for f in "$cache"/*; do
		[ -f "$f" ] || continue
		printf '%s %s\n' "$(wc -c <"$f" | tr -d ' ')" "$f" >>"$sizes"
	done
	sort -n -o "$sizes" "$sizes"

	# The expected types: those of most cache files. Files of an older
	# signature of the target can stay in the cache, where go test skips
	# them silently; in testdata they would fail every go test.
	while IFS=' ' read -r _ f; do
		signature "$f" | paste -sd ' ' -
	done <"$sizes" | { grep -v '^$' || true; } | sort | uniq -c | sort -rn >"$tmp/signatures"
	expected="$(sed -n '1s/^ *[0-9]* //p' "$tmp/signatures")"
	if [ -z "$expected" ]; then
		echo "corpus: no file in Go's corpus format in $cache"
		rm -rf "$tmp"
		return 0
	fi

	mkdir -p "$dest"
	# Checksums of the content already in testdata, to skip duplicates.
	local seen="$tmp/seen" have=0
	: >"$seen"
	for f in "$dest"/*; do
		[ -f "$f" ] || continue
		cksum <"$f" >>"$seen"
		have=$((have + 1))
	done

	local size types sum copied=0 big=0 badtype=0 dup=0 full=0 total=0
	local added="$tmp/added"
	: >"$added"
	while IFS=' ' read -r size f; do
		total=$((total + 1))
		if [ "$size" -gt "$FUZZCORPUSMAXBYTES" ]; then
			big=$((big + 1))
			continue
		fi
		types="$(signature "$f" | paste -sd ' ' -)"
		if [ "$types" != "$expected" ]; then
			badtype=$((badtype + 1))
			continue
		fi
		sum="$(cksum <"$f")"
		if grep -qxF "$sum" "$seen" || [ -e "$dest/$(basename "$f")" ]; then
			dup=$((dup + 1))
			continue
		fi
		if [ "$have" -ge "$FUZZCORPUSMAX" ]; then
			full=$((full + 1))
			continue
		fi
		cp "$f" "$dest/"
		chmod 644 "$dest/$(basename "$f")"
		printf '%s\n' "$sum" >>"$seen"
		printf '%s\n' "$dest/$(basename "$f")" >>"$added"
		have=$((have + 1))
		copied=$((copied + 1))
	done <"$sizes"

	echo "corpus: $total files in the cache; copied $copied to $dest (now $have files);" \
		"skipped $dup already there, $big over $FUZZCORPUSMAXBYTES bytes," \
		"$badtype of other types, $full over the limit of $FUZZCORPUSMAX"

	if [ "$copied" -gt 0 ]; then
		# The copied inputs now run in every go test: check that they pass.
		if ! (cd "$dir" && go test -count=1 -run "^${name}\$" .); then
			echo "corpus: the seed corpus of $name fails with the copied files; removing them" >&2
			while IFS= read -r f; do rm -f "$f"; done <"$added"
			rm -rf "$tmp"
			return 1
		fi
	fi
	rmdir "$dest" 2>/dev/null || true # no empty directory left behind
	rm -rf "$tmp"
}

# summary prints the last status line of a fuzzing log: elapsed time,
# executions and new interesting inputs.
summary() {
	grep -E '^fuzz: elapsed: .*execs: ' "$1" | tail -n 1 | sed 's/^fuzz: //' || true
}

main() {
	local list=0
	while [ $# -gt 0 ]; do
		case "$1" in
		-h | --help)
			usage
			return 0
			;;
		-l | --list)
			list=1
			shift
			;;
		--)
			shift
			break
			;;
		-*)
			echo "fuzz.sh: unknown option $1 (see scripts/fuzz.sh -h)" >&2
			return 2
			;;
		*) break ;;
		esac
	done

	local all
	all="$(discover)"
	if [ -z "$all" ]; then
		echo "fuzz.sh: no fuzz target found" >&2
		return 1
	fi
	if [ "$list" = 1 ]; then
		printf '%s\n' "$all"
		return 0
	fi

	# Select the targets named on the command line ("FuzzX" or "dir:FuzzX").
	local selected="" arg matches
	if [ $# -eq 0 ]; then
		selected="$all"
	else
		for arg in "$@"; do
			arg="${arg#./}"
			matches="$(printf '%s\n' "$all" | awk -F: -v a="$arg" '$2 == a || $0 == a')"
			if [ -z "$matches" ]; then
				echo "fuzz.sh: no fuzz target $arg; the targets are:" >&2
				printf '%s\n' "$all" | sed 's/^/  /' >&2
				return 2
			fi
			selected="$selected$matches"$'\n'
		done
		selected="$(printf '%s' "$selected" | awk '!seen[$0]++')"
	fi

	local n
	n="$(printf '%s\n' "$selected" | wc -l | tr -d ' ')"
	echo "fuzz.sh: $n target(s), $FUZZTIME each, -parallel $FUZZPARALLEL ($(go version))"

	local results logdir target dir name start status failing
	results=""
	logdir="$(mktemp -d)"
	# shellcheck disable=SC2064 # expand logdir now
	trap "rm -rf '$logdir'" EXIT
	while IFS= read -r target; do
		dir="${target%:*}"
		name="${target##*:}"
		echo
		echo "=== $name in ./$dir, for $FUZZTIME ($(date '+%H:%M:%S'))"
		start="$(date +%s)"
		status=0
		(cd "$dir" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" \
			-parallel "$FUZZPARALLEL" .) 2>&1 | tee "$logdir/$name.log" || status=$?
		if [ "$status" -ne 0 ]; then
			echo
			echo "FAIL: $name in ./$dir (go test exit status $status, after $(($(date +%s) - start)) s)"
			failing="$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' "$logdir/$name.log" | tail -n 1)"
			if [ -n "$failing" ]; then
				echo "The failing input is saved as $dir/$failing."
				echo "Reproduce it with:"
				echo
				echo "	go test -run '$name/$(basename "$failing")' ./$dir"
				echo
				echo "Keep that file: commit it together with the fix, so that it runs in every go test."
			else
				echo "go test saved no failing input (a build error, a failing seed, or a crash of the fuzzer): see the output above."
			fi
			if [ -n "$results" ]; then
				echo
				echo "Targets completed before the failure:"
				printf '%s' "$results"
			fi
			return 1
		fi
		results="$results  $dir:$name: $(summary "$logdir/$name.log")"$'\n'
		if [ "$FUZZCOPY" != 0 ]; then
			copy_corpus "$dir" "$name"
		fi
	done <<<"$selected"

	echo
	echo "fuzz.sh: all $n target(s) passed, $FUZZTIME each:"
	printf '%s' "$results"
	if command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		local new
		new="$(git status --porcelain --untracked-files=all -- '*/testdata/fuzz/*' | wc -l | tr -d ' ')"
		echo "Corpus files not yet committed under testdata/fuzz: $new (review them, then commit)."
	fi
}

main "$@"
