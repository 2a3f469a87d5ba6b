#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: everything CI runs.  Every step prints TAP lines; the last line
# of output is "N passed, N failed, N skipped" and the exit status is non-zero
# if anything failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
LOG=build/check.log
mkdir -p build
: > "$LOG"

# tap NAME CMD...: run a step, keep its TAP lines; a step that fails without
# saying which of its tests failed counts as one failure under its own name.
tap() {
	local name=$1 out status
	shift
	out=$("$@" 2>&1)
	status=$?
	printf '%s\n' "$out" | tee -a "$LOG" | grep -E '^(not )?ok |^# ' || true
	if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok '; then
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
		echo "not ok - $name (exit status $status)" | tee -a "$LOG"
	fi
	return $status
}

# build DIR CC [SAN]: a warning-free build (-Werror) of the hosted home.
build() {
	local dir=$1 cc=$2 san=${3:-} log=build/logs/$1.log
	mkdir -p build/logs
	if make -s O="$dir" CC="$cc" WERROR=1 SAN="$san" tests >"$log" 2>&1; then
		echo "ok - build with $cc${san:+ and sanitizers}, -Wall -Wextra, no warnings"
	else
		tail -n 30 "$log" | sed 's/^/# /'
		echo "not ok - build with $cc${san:+ and sanitizers}, -Wall -Wextra, no warnings"
		return 1
	fi
}

# tests DIR: every test program of a build, run from the top of the tree.
tests() {
	local dir=$1 t
	for t in "$dir"/tests/test_*; do
		[ -x "$t" ] || continue
		case "$t" in
		*/test_conformance) tap "$t" "$t" --bpf64 "$dir/bpf64" ;;
		*) tap "$t" "$t" ;;
		esac
	done
}

# Under the sanitizers an absurd map size must fail as -ENOMEM, as without.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1}

scripts/install-deps.sh || echo "# install-deps.sh failed; steps that need packages will say so"

tap "gcc build" build build gcc && tests build
tap "samples" scripts/check-samples.sh build/bpf64
tap "clang build" build build-clang clang-19
tap "freestanding core" scripts/check-freestanding.sh
tap "kernel module" scripts/check-module.sh
tap "sanitizer build" build build-san clang-19 1 && tests build-san
tap "samples (sanitizers)" env SAMPLES_OUT=build-san/samples scripts/check-samples.sh build-san/bpf64
tap "fuzzers" scripts/fuzz.sh short

awk '
	/^ok .*# SKIP/ { skipped++; next }
	/^ok /         { passed++; next }
	/^not ok /     { failed++ }
	END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
	      exit failed > 0 || passed == 0 }
' "$LOG"
