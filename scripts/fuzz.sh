#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/fuzz.sh [short|long]: build every libFuzzer harness in
# tools/testing/selftests/bpf/fuzz/ into build/fuzz/ and run each for 10 s
# (short, what make check runs) or 300 s (long, make fuzz), with inputs of
# up to 4096 bytes.  One TAP line per harness ("ok N fuzz_asm"); the exit
# status is 1 if a harness did not build or found something.
#
# The harnesses link against the hosted library built once more with the
# fuzzer's coverage and the sanitizers (build/fuzz/lib/libbpf64.a), so a new
# harness needs nothing but its file.  Each keeps its corpus between runs in
# build/fuzz/corpus/NAME; what it finds lands in build/fuzz/crash-NAME-*
# and its output in build/fuzz/NAME.log.  The conformance programs seed the
# corpora: their text for fuzz_asm, their instructions for the harnesses
# that read instructions.
#
# FUZZ_CC picks the compiler (clang-19); FUZZ_SECONDS overrides the time.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

case ${1:-short} in
short)	secs=10 ;;
long)	secs=300 ;;
*)	echo "usage: scripts/fuzz.sh [short|long]" >&2; exit 2 ;;
esac
secs=${FUZZ_SECONDS:-$secs}
cc=${FUZZ_CC:-clang-19}
out=build/fuzz
fuzz_dir=tools/testing/selftests/bpf/fuzz
# shellcheck source=scripts/tap.sh
source scripts/tap.sh

conformance_dir()
{
	local d

	for d in "${BPF64_CONFORMANCE_DIR:-}" \
		 tools/testing/selftests/bpf/conformance/tests \
		 ../shared/conformance/tests; do
		if [[ -n $d && -d $d ]]; then
			echo "$d"
			return
		fi
	done
}

# Seeds: each conformance program as text, and assembled where bpf64 is built.
make_seeds()
{
	local conf f name

	conf=$(conformance_dir)
	mkdir -p "$out/seeds/text" "$out/seeds/insns"
	# Real objects, without their debug info, for fuzz_elf.
	mkdir -p "$out/seeds/elf"
	for f in build/progs/elf_*.o; do
		[[ -f $f ]] && llvm-objcopy-19 --strip-debug -R .BTF.ext \
			-R .rel.BTF.ext "$f" "$out/seeds/elf/${f##*/}"
	done
	[[ -n $conf ]] || return 0
	for f in "$conf"/*.data; do
		name=$(basename "$f" .data)
		awk '/^-- asm/ { on = 1; next } /^-- / { on = 0 } on' "$f" \
			> "$out/seeds/text/$name"
		if [[ -x build/bpf64 ]]; then
			build/bpf64 asm "$out/seeds/text/$name" \
				> "$out/seeds/insns/$name" 2>/dev/null ||
				rm -f "$out/seeds/insns/$name"
		fi
	done
}

seeds_for()
{
	case $1 in
	fuzz_asm)	echo "$out/seeds/text" ;;
	fuzz_elf)	echo "$out/seeds/elf" ;;
	*)		echo "$out/seeds/insns" ;;
	esac
}

mapfile -t harnesses < <(find "$fuzz_dir" -maxdepth 1 -name 'fuzz_*.c' | LC_ALL=C sort)
if [[ ${#harnesses[@]} -eq 0 ]]; then
	echo "ok 1 fuzzers # SKIP no harness in $fuzz_dir"
	exit 0
fi
mkdir -p "$out"

if ! command -v "$cc" >/dev/null; then
	for src in "${harnesses[@]}"; do
		echo "not ok $((++n)) $(basename "$src" .c)"
		echo "# $cc not found (scripts/install-deps.sh installs it)"
	done
	exit 1
fi

lib_ok=1
if ! make -s O="$out/lib" CC="$cc" SAN=1 CFLAGS=-fsanitize=fuzzer-no-link \
	"$out/lib/libbpf64.a" > "$out/lib.log" 2>&1; then
	lib_ok=0
fi
make_seeds

for src in "${harnesses[@]}"; do
	name=$(basename "$src" .c)
	log="$out/$name.log"
	if [[ $lib_ok -eq 0 ]]; then
		tap_result not_ok "$name" "$out/lib.log"
		continue
	fi
	if ! "$cc" -g -O1 -Wall -Wextra -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Iinclude -Itools/lib \
		-Itools/testing/selftests/bpf "$src" "$out/lib/libbpf64.a" \
		-lelf -lz -lpthread -o "$out/$name" > "$log" 2>&1; then
		tap_result not_ok "$name" "$log"
		continue
	fi
	mkdir -p "$out/corpus/$name"
	max_len=4096
	[[ $name == fuzz_elf ]] && max_len=8192	# real objects are larger
	if "$out/$name" -max_total_time="$secs" -max_len=$max_len -timeout=30 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/crash-$name-" \
		"$out/corpus/$name" "$(seeds_for "$name")" > "$log" 2>&1; then
		tap_result ok "$name"
		grep -a -m1 -E '^Done [0-9]+ runs' "$log" | sed 's/^/# /'
	else
		tap_result not_ok "$name" "$log"
	fi
done
echo "1..$n"
[[ $failed -eq 0 ]]
