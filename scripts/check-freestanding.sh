#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove the portability rule: the core (kernel/, net/, arch/) builds with
# nothing from the C library and needs nothing from its home but what
# include/linux/bpf64/platform.h declares.
#
# For each compiler (gcc and clang-19; override with COMPILERS="..."):
#   - every .c file under kernel/ net/ arch/ compiles with -ffreestanding
#     -nostdinc, seeing only the compiler's own include directory, include/
#     and a directory that holds nothing but the Linux UAPI headers, and
#     -fno-pie as the kernel builds (taking a function's address, as the JIT
#     does, then needs no GOT);
#   - every include/linux/bpf64/*.h compiles on its own the same way;
#   - every symbol the objects need and do not define themselves is a
#     function declared in platform.h (what each home implements).
# And, independent of compilers, every #include in the core (kernel/ net/
# arch/ and include/linux/bpf64/ except platform.h) is <linux/bpf64/...> or
# a "..." file inside the including file's directory.
#
# Output is TAP: one line per compiler, one for the include rule, with the
# failing file and the compiler's words as "# " lines.  Exit status 1 if
# anything failed.  FREESTANDING_VERBOSE=1 also shows compiler warnings.
set -euo pipefail

cd "$(dirname "$0")/.."

read -r -a compilers <<< "${COMPILERS:-gcc clang-19}"
verbose=${FREESTANDING_VERBOSE:-0}
njobs=$(nproc 2>/dev/null || echo 2)
core_dirs=(kernel net arch)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-freestanding.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=scripts/tap.sh
source scripts/tap.sh

# --- what the core is --------------------------------------------------------

mapfile -t core_srcs < <(find "${core_dirs[@]}" -name '*.c' -type f 2>/dev/null | LC_ALL=C sort)
mapfile -t core_hdrs < <(find "${core_dirs[@]}" -name '*.h' -type f 2>/dev/null | LC_ALL=C sort)
mapfile -t bpf64_hdrs < <(find include/linux/bpf64 -name '*.h' -type f 2>/dev/null | LC_ALL=C sort)

# --- the UAPI-only include directory -----------------------------------------

multiarch=$(gcc -print-multiarch 2>/dev/null || true)
multiarch=${multiarch:-x86_64-linux-gnu}
uapi="$tmp/uapi"
mkdir -p "$uapi"
for pair in linux:/usr/include/linux asm-generic:/usr/include/asm-generic \
	    "asm:/usr/include/$multiarch/asm"; do
	name=${pair%%:*}
	target=${pair#*:}
	if [[ -d $target ]]; then
		ln -s "$target" "$uapi/$name"
	else
		echo "$target missing: the Linux UAPI headers (linux-libc-dev) are not installed; run scripts/install-deps.sh" >> "$tmp/setup"
	fi
done

# --- the include rule ----------------------------------------------------------

# check_includes FILE: print "FILE:LINE: #include ..." for each include that
# is neither <linux/bpf64/...> nor a "..." file inside FILE's directory.
check_includes()
{
	local file=$1 dir lineno text kw arg path
	dir=$(dirname "$file")

	while IFS=: read -r lineno text; do
		if [[ ! $text =~ ^[[:space:]]*#[[:space:]]*(include[a-z_]*)[[:space:]]*(.*)$ ]]; then
			continue
		fi
		kw=${BASH_REMATCH[1]}
		arg=${BASH_REMATCH[2]}
		arg=${arg%%[[:space:]]/[*/]*}	# drop a trailing comment
		arg=${arg%"${arg##*[![:space:]]}"}
		if [[ $kw == include ]]; then
			if [[ $arg =~ ^\<linux/bpf64/([A-Za-z0-9_./-]+)\>$ ]]; then
				path=${BASH_REMATCH[1]}
				[[ $path != *..* && -f include/linux/bpf64/$path ]] && continue
			elif [[ $arg =~ ^\"([A-Za-z0-9_./-]+)\"$ ]]; then
				path=${BASH_REMATCH[1]}
				[[ $path != *..* && $path != /* && -f $dir/$path ]] && continue
			fi
		fi
		echo "$file:$lineno: ${text#"${text%%[![:space:]]*}"}"
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$file" || true)
}

inc_log="$tmp/includes.log"
: > "$inc_log"
for f in "${core_srcs[@]}" "${core_hdrs[@]}" "${bpf64_hdrs[@]}"; do
	[[ $f == include/linux/bpf64/platform.h ]] && continue
	check_includes "$f" >> "$inc_log"
done
if [[ -s $inc_log ]]; then
	{
		echo "only <linux/bpf64/...> and \"...\" files in the same directory may be included;"
		echo "what the core needs from outside goes through include/linux/bpf64/platform.h:"
		cat "$inc_log"
	} > "$inc_log.msg"
	inc_result=not_ok
else
	: > "$inc_log.msg"
	inc_result=ok
fi

# --- compiling -----------------------------------------------------------------

# What the homes implement: the functions platform.h declares (not defines).
home_symbols()
{
	local aux="$tmp/aux.txt"

	printf '#include <linux/bpf64/platform.h>\n' > "$tmp/aux.c"
	gcc "${base_flags[@]}" -isystem "$(gcc -print-file-name=include)" \
	    -aux-info "$aux" -fsyntax-only "$tmp/aux.c" >/dev/null 2>&1 || return 0
	sed -nE 's|^/\* (.*/)?include/linux/bpf64/platform\.h:[0-9]+:NC \*/.*[ *]([A-Za-z_][A-Za-z0-9_]*) \(.*|\2|p' \
		"$aux" | LC_ALL=C sort -u
}

base_flags=(-std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter
	    -Wno-missing-field-initializers -fno-strict-aliasing
	    -Werror=implicit-function-declaration -Werror=implicit-int
	    -ffreestanding -nostdinc -fno-pie -Iinclude -I"$uapi")

# The compiler's errors with their include chains and notes, without the
# warnings (gcc and clang print both the same way).
errors_only()
{
	awk '
	function flush() { if (keep) printf "%s", buf; buf = ""; keep = 0 }
	/^In file included from / || (pend != "" && /^[[:space:]]+from /) {
		pend = pend $0 "\n"; next
	}
	/: (fatal error|error|warning): / {
		flush()
		keep = $0 !~ /: warning: /
		buf = pend $0 "\n"; pend = ""; next
	}
	{ buf = buf pend $0 "\n"; pend = "" }
	END { flush() }'
}

# compile_one CC-COMMAND... -- SRC OBJ LOG: compile, record failure in LOG.rc
compile_one()
{
	local src=$1 obj=$2 log=$3
	shift 3
	mkdir -p "$(dirname "$obj")"
	if ! "$@" -c "$src" -o "$obj" > "$log" 2>&1; then
		echo 1 > "$log.rc"
	fi
}

# run_compiler CC: compile the core with CC; writes the diagnostics to $diag
run_compiler()
{
	local cc=$1
	local out="$tmp/$cc" inc src obj log rc=0 hdr sym
	local -a cmd objs=()

	: > "$diag"
	if ! command -v "$cc" >/dev/null; then
		echo "$cc not found (scripts/install-deps.sh installs it)" > "$diag"
		return 1
	fi
	inc=$("$cc" -print-file-name=include)
	if [[ ! -f $inc/stddef.h ]]; then
		echo "$cc: no freestanding headers in '$inc'" > "$diag"
		return 1
	fi
	cmd=("$cc" "${base_flags[@]}" -isystem "$inc")

	for src in "${core_srcs[@]}"; do
		obj="$out/${src%.c}.o"
		objs+=("$obj")
		while (( $(jobs -rp | wc -l) >= njobs )); do
			wait -n || true
		done
		compile_one "$src" "$obj" "$out/${src%.c}.log" "${cmd[@]}" &
	done
	for hdr in "${bpf64_hdrs[@]}"; do
		src="$out/hdr/${hdr//\//_}.c"
		mkdir -p "$out/hdr"
		printf '#include <%s>\n' "${hdr#include/}" > "$src"
		while (( $(jobs -rp | wc -l) >= njobs )); do
			wait -n || true
		done
		compile_one "$src" "${src%.c}.o" "$out/hdr/${hdr//\//_}.log" \
			"${cmd[@]}" -fsyntax-only &
	done
	wait

	for src in "${core_srcs[@]}" "${bpf64_hdrs[@]}"; do
		if [[ $src == *.c ]]; then
			log="$out/${src%.c}.log"
		else
			log="$out/hdr/${src//\//_}.log"
		fi
		if [[ -f $log.rc ]]; then
			rc=1
			{
				echo "$src: does not build freestanding with $cc:"
				errors_only < "$log" | head -n 40
			} >> "$diag"
		elif [[ $src == *.c && ! -f $out/${src%.c}.o ]]; then
			rc=1
			echo "$src: $cc produced no object" >> "$diag"
		elif [[ $verbose == 1 && -s $log ]]; then
			cat "$log" >> "$diag"
		fi
	done
	[[ $rc -eq 0 ]] || return 1

	# Everything the objects need from outside themselves must be a
	# function platform.h declares.
	if ! command -v nm >/dev/null; then
		echo "nm not found (binutils)" >> "$diag"
		return 1
	fi
	nm -P -g --defined-only "${objs[@]}" 2>/dev/null |
		awk 'NF >= 2 && $1 !~ /:$/ { print $1 }' | LC_ALL=C sort -u > "$out/defined"
	for obj in "${objs[@]}"; do
		nm -P -u "$obj" 2>/dev/null | awk -v f="${obj#"$out"/}" \
			'NF >= 2 && $1 !~ /:$/ { sub(/\.o$/, ".c", f); print $1, f }'
	done | LC_ALL=C sort -u > "$out/undefined"
	while read -r sym src; do
		if ! grep -qxF "$sym" "$out/defined" && ! grep -qxF "$sym" "$home"; then
			if [[ $sym == __* ]]; then
				echo "$src: needs '$sym', a compiler runtime routine that the kernel does not provide" >> "$diag"
			else
				echo "$src: needs '$sym', which the core does not define and platform.h does not declare" >> "$diag"
			fi
			rc=1
		fi
	done < "$out/undefined"
	return "$rc"
}

if [[ ${#core_srcs[@]} -eq 0 ]]; then
	echo "no .c files under ${core_dirs[*]}: nothing proves the rule" >> "$tmp/setup"
fi
if [[ -s $tmp/setup ]]; then
	for cc in "${compilers[@]}"; do
		tap_result not_ok "freestanding core ($cc)" "$tmp/setup"
	done
else
	home="$tmp/home"
	home_symbols > "$home"
	for cc in "${compilers[@]}"; do
		diag="$tmp/$cc.diag"
		if run_compiler "$cc"; then
			tap_result ok "freestanding core ($cc)" "$diag"
		else
			tap_result not_ok "freestanding core ($cc)" "$diag"
		fi
	done
fi

tap_result "$inc_result" "core includes only <linux/bpf64/...> and local headers" "$inc_log.msg"

[[ $failed -eq 0 ]]
