#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel home, bpf64.ko, against Debian's 6.1 kernel headers (the
# ones the installed linux-headers-amd64 package depends on, not those of
# the running kernel) and fail on any error or warning: compiler, objtool
# or modpost.
#
# The module is built in build/module/ (MODULE_BUILD_DIR), a mirror of the
# tree whose directories are real and whose files are symlinks to the
# sources, so that Kbuild's objects and .cmd files never land in the source
# tree.  Kbuild picks up every .c file the mirror holds.  The build's output
# is kept in build/module.log.  Builds are incremental while they are clean.
#
#   scripts/check-module.sh             the check (one TAP line)
#   KDIR=/path/to/headers scripts/check-module.sh   other headers
#
# Missing headers are a failure, not a skip: scripts/install-deps.sh
# installs them.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
mirror=${MODULE_BUILD_DIR:-build/module}
[[ $mirror == /* ]] || mirror="$root/$mirror"
src_dirs=(kernel net arch module)

trap 'echo "not ok 1 kernel module object (scripts/check-module.sh failed at line $LINENO)"' ERR

tap()
{
	echo "$1 1 kernel module object ($2)"
}

# fail WHAT LINES...: the TAP line and the reasons as comments.
fail()
{
	local what=$1
	shift
	tap "not ok" "$what"
	printf '%s\n' "$@" | sed 's/^/# /'
	exit 1
}

# --- the headers ---------------------------------------------------------------

if [[ -n ${KDIR:-} ]]; then
	kdir=$KDIR
	name=$(basename "$kdir")
else
	if ! deps=$(dpkg-query -W -f='${db:Status-Abbrev} ${Depends}\n' \
		    linux-headers-amd64 2>/dev/null) || [[ $deps != ii* ]]; then
		fail "linux-headers-amd64" \
		     "linux-headers-amd64 is not installed: run scripts/install-deps.sh"
	fi
	# "ii  linux-headers-6.1.0-NN-amd64 (= 6.1.x-y)": the versioned package.
	name=$(grep -oE 'linux-headers-[^ ,]+-amd64' <<< "$deps" | head -n 1 || true)
	[[ -n $name ]] || fail "linux-headers-amd64" \
		"cannot tell which headers linux-headers-amd64 depends on ('$deps')"
	kdir=/usr/src/$name
fi
if [[ ! -f $kdir/Makefile || ! -f $kdir/Module.symvers ]]; then
	fail "$name" "no kernel headers in $kdir: run scripts/install-deps.sh"
fi
what=$name
pkgver=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)
[[ -n $pkgver ]] && what="$name $pkgver"

# --- the mirror ----------------------------------------------------------------

mkdir -p "$mirror"
# Sources that went away: drop their links (their objects are not linked,
# since Kbuild lists only the .c files that exist).
find "$mirror" -xtype l -delete
ln -sfn "$root/Kbuild" "$mirror/Kbuild"
ln -sfn "$root/include" "$mirror/include"
while IFS= read -r -d '' f; do
	mkdir -p "$mirror/$(dirname "$f")"
	[[ -L $mirror/$f ]] || ln -sfn "$root/$f" "$mirror/$f"
done < <(find "${src_dirs[@]}" -type f ! -name '.*' \
	 ! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' \
	 ! -name '*.cmd' ! -name '*.a' ! -name 'modules.order' \
	 ! -name 'Module.symvers' -print0 2>/dev/null)

# --- the build -----------------------------------------------------------------

log="$mirror.log"
rm -f "$mirror/bpf64.ko"
rc=0
make -C "$kdir" M="$mirror" -j"$(nproc 2>/dev/null || echo 2)" modules \
	> "$log" 2>&1 < /dev/null || rc=$?

# The log without Kbuild's progress lines, paths as the sources' paths.
diagnostics()
{
	sed -e "s|$mirror/||g" "$log" |
		grep -vE '^make(\[[0-9]+\])?: (Entering|Leaving) directory' |
		grep -vE '^  [A-Z][A-Z0-9_ []+[]]? +[^ ]' |
		grep -vE '^Skipping BTF generation' || true
}

# An incremental build only shows the warnings of what it recompiled, so
# after a failure start the next build from scratch: a warning in a file
# nobody touched since must fail again.
if [[ $rc -ne 0 ]] || grep -qiE '(^|[^[:alnum:]_])(warning|error):' "$log"; then
	rm -rf "$mirror"
fi

if [[ $rc -ne 0 ]]; then
	mapfile -t lines < <(diagnostics | tail -n 60)
	fail "$what" "make -C $kdir M=$mirror modules failed ($rc):" "${lines[@]}"
fi
if grep -qiE '(^|[^[:alnum:]_])(warning|error):' "$log"; then
	mapfile -t lines < <(diagnostics | head -n 60)
	fail "$what" "the build is not clean (full log: ${log#"$root"/}):" "${lines[@]}"
fi
[[ -f $mirror/bpf64.ko ]] || fail "$what" "make succeeded but built no bpf64.ko"

tap ok "$what"
