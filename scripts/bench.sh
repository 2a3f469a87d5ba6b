#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: run every benchmark of a build ($O/tests/bench_*, O=build by
# default) and print their tables, also kept in $O/bench.txt.  Benchmarks
# measure; nothing here passes or fails on a timing.  Arguments are passed
# to every benchmark.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
OUT=$O/bench.txt
mkdir -p "$O"
status=0
found=0

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
jit=$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null || echo '?')

{
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), Linux $(uname -r), ${cpu:-unknown CPU}," \
	     "$(nproc) CPUs, bpf_jit_enable=$jit"
	for b in "$O"/tests/bench_*; do
		[ -x "$b" ] || continue
		found=1
		echo
		echo "== ${b##*/}"
		"$b" "$@"
		rc=$?
		if [ $rc -ne 0 ]; then
			echo "# ${b##*/} exited with status $rc"
			status=1
		fi
	done
	if [ $found -eq 0 ]; then
		echo "no benchmarks in $O/tests: build them with 'make bench'"
		status=1
	fi
	exit $status
} 2>&1 | tee "$OUT"

exit "${PIPESTATUS[0]}"
