#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages that bpf64's build, tests and benchmarks
# need, and only those that are missing.  Quiet when it succeeds, fast when
# everything is already there (one dpkg-query), no prompts, safe to re-run.
#
#   scripts/install-deps.sh          install what is missing (root, or sudo)
#   scripts/install-deps.sh --check  only report what is missing; exit 1 if any
#   scripts/install-deps.sh --list   print the package list
#
# Why each package is here:
#   gcc make libc6-dev        the hosted build (gcc does not pull libc6-dev
#                             without Recommends)
#   linux-libc-dev            the Linux UAPI headers the core is built against
#                             (struct bpf_insn, union bpf_attr, opcodes)
#   clang-19 llvm-19 lld-19   the second compiler of the freestanding check,
#   libclang-rt-19-dev        BPF objects for samples and tests (clang -target
#                             bpf, llvm-objdump), sanitizer runtimes
#   libelf-dev zlib1g-dev     the ELF loader in tools/lib/bpf64
#   libbpf-dev bpftool        the host-kernel oracle and compatibility tests
#   libpcap-dev               the classic-BPF oracle (pcap_compile, bpf_filter)
#   libseccomp-dev            the seccomp oracle
#   linux-headers-amd64       Debian's 6.1 kernel headers for bpf64.ko (pulls
#                             gcc-12 and linux-kbuild-6.1)
#   pkg-config                finding libelf/libbpf/libpcap flags
set -euo pipefail

PACKAGES=(
	gcc
	make
	libc6-dev
	linux-libc-dev
	pkg-config
	clang-19
	llvm-19
	lld-19
	libclang-rt-19-dev
	libelf-dev
	zlib1g-dev
	libbpf-dev
	gcc-bpf
	bpftool
	libpcap-dev
	libseccomp-dev
	linux-headers-amd64
)

die()
{
	echo "install-deps: $*" >&2
	exit 1
}

# The packages of PACKAGES that are not fully installed, one per line.
missing_packages()
{
	local -A ok=()
	local name status

	# One dpkg-query for all of them; unknown packages print nothing
	# (and an error we do not need), which leaves them missing.
	while read -r name status; do
		[[ $status == ii ]] && ok[$name]=1
	done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
		 "${PACKAGES[@]}" 2>/dev/null || true)

	for name in "${PACKAGES[@]}"; do
		[[ -n ${ok[$name]:-} ]] || echo "$name"
	done
}

mode=install
case "${1:-}" in
"") ;;
--check) mode=check ;;
--list) printf '%s\n' "${PACKAGES[@]}"; exit 0 ;;
-h|--help) sed -n '4,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
*) die "unknown argument '$1' (try --help)" ;;
esac

command -v dpkg-query >/dev/null || die "dpkg-query not found: this script is for Debian 12"

mapfile -t missing < <(missing_packages)
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $mode == check ]]; then
	echo "install-deps: missing: ${missing[*]}" >&2
	exit 1
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null ||
		die "not root and no sudo; as root run: apt-get install ${missing[*]}"
	sudo=(sudo -n)
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300
	  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

log=$(mktemp "${TMPDIR:-/tmp}/install-deps.XXXXXX")
trap 'rm -f "$log"' EXIT

run_apt()
{
	if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	     apt-get "${apt_opts[@]}" "$@" >"$log" 2>&1 </dev/null; then
		tail -n 40 "$log" >&2
		die "apt-get $* failed"
	fi
}

run_apt update
run_apt install --no-install-recommends "${missing[@]}"

mapfile -t still < <(missing_packages)
[[ ${#still[@]} -eq 0 ]] || die "still missing after install: ${still[*]}"
exit 0
