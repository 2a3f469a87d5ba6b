#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The samples of samples/bpf/: built with clang-19, then run by `bpf64 run`
# on packets and tracepoint records written here byte by byte.  Each run's
# answers (the retval, the packet the run gives back, the maps afterwards,
# the trace_printk lines) must be what the input implies, worked out here
# from the input's bytes.
#
# On bpf64 every run is done three times: as loading chooses (JITed where
# the JIT takes the program), with --jit and with --no-jit (interpreted);
# all three must give the same answers.
#
# The socket filter and the XDP program also run through the running
# kernel's BPF_PROG_TEST_RUN (bpf64 run --linux) and must give the same
# answers there.  Linux has no test run for tracepoint programs
# (BPF_PROG_TEST_RUN answers ENOTSUPP): for those it only loads the object,
# and the check says so with a SKIP.  Without bpf() rights (EPERM) every
# Linux step is a SKIP.
#
#   scripts/check-samples.sh [BPF64]    BPF64: the command (build/bpf64)
#
# The objects and inputs go to SAMPLES_OUT (build/samples).  Output is TAP;
# the exit status is 1 if anything failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

# shellcheck source=scripts/tap.sh
source scripts/tap.sh

bpf64=${1:-build/bpf64}
out=${SAMPLES_OUT:-build/samples}
mkdir -p "$out/in"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-samples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- bytes -------------------------------------------------------------------

# bytes HEX: write the bytes that the hex digits spell.
bytes()
{
	local h=$1 esc=

	while [[ -n $h ]]; do
		esc+="\\x${h:0:2}"
		h=${h:2}
	done
	printf %b "$esc"
}

# hexof FILE: the file's bytes as hex digits.
hexof()
{
	od -An -v -tx1 "$1" | tr -d ' \n'
}

# le N WIDTH: N as WIDTH bytes, little-endian, in hex.
le()
{
	local n=$1 i h=

	for ((i = 0; i < $2; i++)); do
		h+=$(printf '%02x' $(((n >> (8 * i)) & 255)))
	done
	echo "$h"
}

# zeros N: N zero bytes in hex.
zeros()
{
	printf '%0*d' $((2 * $1)) 0
}

# --- packets -----------------------------------------------------------------

# tcp DPORT, udp DPORT, icmp: a layer-4 header and two bytes ("hi") of data.
tcp()
{
	printf '3039%04x00000001000000005002200000000000' "$1"
	printf '6869'
}

udp()
{
	printf '3039%04x000a00006869' "$1"
}

icmp()
{
	printf '0800000000010001'
	printf '6869'
}

# ipv4 PROTO L4 [OPTIONS [FRAG]]: an IPv4 header from 10.0.0.1 to 10.0.0.2
# (its length from the options', its checksum left zero: nothing here
# checks it) in front of L4.  FRAG is the flags and fragment offset field.
ipv4()
{
	local opts=${3:-} ihl

	ihl=$((5 + ${#opts} / 8))
	printf '4%x00%04x0001%04x40%02x00000a0000010a000002%s%s' "$ihl" \
	       $((ihl * 4 + ${#2} / 2)) "${4:-0}" "$1" "$opts" "$2"
}

# ether TYPE PAYLOAD: an Ethernet frame.
ether()
{
	printf '020000000002020000000001%04x%s' "$1" "$2"
}

ETH_P_IP=0x0800
ETH_P_IPV6=0x86dd
IPPROTO_ICMP=1
IPPROTO_TCP=6
IPPROTO_UDP=17
XDP_DROP=1
XDP_PASS=2
declare -A verdict=([$XDP_DROP]=dropped [$XDP_PASS]=passed)
ETH_HLEN=14

# packet NAME HEX: $out/in/NAME.bin
packet()
{
	bytes "$2" > "$out/in/$1.bin"
}

# --- runs ----------------------------------------------------------------------

# summary JSON MAP...: the answers of a `bpf64 run -j` as lines: the retval,
# data_out, the entries of each named map whose value is not all zeros, the
# trace lines.
summary()
{
	local json=$1 m

	shift
	grep -o '"retval":[0-9]*' "$json" | sed 's/"retval":/retval /'
	grep -o '"data_out":"[0-9a-f]*"' "$json" |
		sed 's/"data_out":"\(.*\)"/data_out \1/'
	for m; do
		grep -o "{\"name\":\"$m\",[^]]*]" "$json" |
			grep -o '"key":"[0-9a-f]*","value":"[0-9a-f]*"' |
			sed "s/\"key\":\"\(.*\)\",\"value\":\"\(.*\)\"/map $m \1 \2/" |
			grep -v ' 0*$'
	done
	grep -o '"trace":\[[^]]*\]' "$json" |
		sed 's/^"trace":\["\?//; s/"\?\]$//; s/","/\n/g' |
		grep -v '^$' | sed 's/^/trace /'
}

# expect_run DESC EXPECTED OBJ ARGS...: bpf64 run OBJ ARGS; its summary,
# with the maps that $maps names, must be EXPECTED.  ARGS may ask for the
# JIT (--jit: the run must say it ran JITed) or the interpreter (--no-jit:
# the run must say so).
expect_run()
{
	local desc=$1 expected=$2 obj=$3 jited=

	shift 3
	if ! timeout 20 "$bpf64" run "$obj" "$@" --dump-maps -j \
	     > "$tmp/json" 2> "$tmp/err"; then
		tap_result not_ok "$desc: the run failed" "$tmp/err"
		return
	fi
	[[ " $* " == *" --jit "* ]] && jited=true
	[[ " $* " == *" --no-jit "* ]] && jited=false
	if [[ -n $jited ]] && ! grep -q "\"jited\":$jited" "$tmp/json"; then
		echo "expected \"jited\":$jited" > "$tmp/diff"
		cat "$tmp/json" >> "$tmp/diff"
		tap_result not_ok "$desc" "$tmp/diff"
		return
	fi
	# shellcheck disable=SC2086
	summary "$tmp/json" $maps > "$tmp/got"
	printf '%s\n' "$expected" | grep -v '^$' > "$tmp/want"
	if diff -u --label want --label got "$tmp/want" "$tmp/got" \
	   > "$tmp/diff"; then
		tap_result ok "$desc"
	else
		cat "$tmp/err" >> "$tmp/diff"
		tap_result not_ok "$desc" "$tmp/diff"
	fi
}

# expect DESC BACKEND EXPECTED OBJ ARGS...: bpf64 run OBJ ARGS on BACKEND
# (bpf64: as loading chooses, JITed and interpreted; or linux).
expect()
{
	local desc=$1 backend=$2 expected=$3 obj=$4 mode

	shift 4
	if [[ $backend == linux ]]; then
		expect_run "$desc on linux" "$expected" "$obj" "$@" --linux
		return
	fi
	for mode in "" --jit --no-jit; do
		expect_run "$desc on bpf64${mode:+ $mode}" "$expected" "$obj" \
			   "$@" $mode
	done
}

# both DESC EXPECTED OBJ ARGS...: expect on bpf64, then on Linux.
both()
{
	expect "$1" bpf64 "$2" "${@:3}"
	if [[ -n $linux_skip ]]; then
		tap_result ok "$1 on linux # SKIP $linux_skip"
	else
		expect "$1" linux "$2" "${@:3}"
	fi
}

# --- build ---------------------------------------------------------------------

multiarch=$(gcc -print-multiarch 2>/dev/null || true)
bpf_cflags=(-target bpf -O2 -g -Wall -Werror -mcpu=v3
	    -I"/usr/include/${multiarch:-x86_64-linux-gnu}")
objs=()
for src in samples/bpf/*.c; do
	name=$(basename "$src" .c)
	objs+=("$out/$name.o")
	if clang-19 "${bpf_cflags[@]}" -c "$src" -o "$out/$name.o" \
	   2> "$tmp/log"; then
		tap_result ok "$src builds with clang-19 -target bpf"
	else
		tap_result not_ok "$src builds with clang-19 -target bpf" "$tmp/log"
	fi
done
if [[ ! -x $bpf64 ]]; then
	tap_result not_ok "$bpf64 exists (run make first)"
	exit 1
fi

# --- loading, on both sides ----------------------------------------------------

linux_skip=
if ! "$bpf64" verify "$out/sockex_proto.o" --linux > "$tmp/log" 2>&1 &&
   grep -q 'Operation not permitted' "$tmp/log"; then
	linux_skip="no bpf() rights here (EPERM)"
fi
for obj in "${objs[@]}"; do
	for backend in bpf64 linux; do
		desc="$(basename "$obj") loads on $backend"
		args=()
		[[ $backend == linux ]] && args=(--linux)
		if [[ $backend == linux && -n $linux_skip ]]; then
			tap_result ok "$desc # SKIP $linux_skip"
		elif "$bpf64" verify "$obj" "${args[@]}" > "$tmp/log" 2>&1; then
			tap_result ok "$desc"
		else
			tap_result not_ok "$desc" "$tmp/log"
		fi
	done
done

# --- verify: a program its type may not run is refused, on both sides --------

cat > "$tmp/bad_helper.c" <<'EOC'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket") int store(struct __sk_buff *skb)
{
	char b = 0;

	/* A socket filter may not write its packet. */
	return bpf_skb_store_bytes(skb, 0, &b, 1, 0);
}
char _license[] SEC("license") = "GPL";
EOC
if clang-19 "${bpf_cflags[@]}" -c "$tmp/bad_helper.c" -o "$out/bad_helper.o" \
   2> "$tmp/log"; then
	for backend in bpf64 linux; do
		desc="bpf64 verify -j refuses skb_store_bytes in a socket filter on $backend"
		args=(-j)
		[[ $backend == linux ]] && args+=(--linux)
		"$bpf64" verify "$out/bad_helper.o" "${args[@]}" > "$tmp/log" 2>&1
		if [[ $backend == linux && -n $linux_skip ]]; then
			tap_result ok "$desc # SKIP $linux_skip"
		elif grep -q '"verdict":"rejected"' "$tmp/log" &&
		     grep -q 'cannot use helper bpf_skb_store_bytes#9' "$tmp/log"; then
			tap_result ok "$desc"
		else
			tap_result not_ok "$desc" "$tmp/log"
		fi
	done
else
	tap_result not_ok "bad_helper.c builds with clang-19 -target bpf" "$tmp/log"
fi

# --- verify --unpriv: a pointer returned is root's privilege -----------------

cat > "$tmp/leak.c" <<'EOC'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket") int leak(struct __sk_buff *skb)
{
	return (long)skb;
}
char _license[] SEC("license") = "GPL";
EOC
if clang-19 "${bpf_cflags[@]}" -c "$tmp/leak.c" -o "$out/leak.o" 2> "$tmp/log"
then
	"$bpf64" verify "$out/leak.o" -j > "$tmp/log" 2>&1
	if grep -q '"verdict":"accepted"' "$tmp/log"; then
		tap_result ok "bpf64 verify accepts a returned pointer from root"
	else
		tap_result not_ok "bpf64 verify accepts a returned pointer from root" "$tmp/log"
	fi
	"$bpf64" verify "$out/leak.o" --unpriv -j > "$tmp/log" 2>&1
	if grep -q '"verdict":"rejected"' "$tmp/log" &&
	   grep -q 'R0 leaks addr as return value' "$tmp/log"; then
		tap_result ok "bpf64 verify --unpriv refuses it"
	else
		tap_result not_ok "bpf64 verify --unpriv refuses it" "$tmp/log"
	fi
else
	tap_result not_ok "leak.c builds with clang-19 -target bpf" "$tmp/log"
fi

# --- xdp_portdrop: TCP to port 80 dropped, verdicts counted ------------------

obj=$out/xdp_portdrop.o
maps="verdicts xdp_port.rodata"
drop_port=80
rodata="map xdp_port.rodata $(le 0 4) $(le $drop_port 2)"

# xdp_case NAME ACTION RUNS DESC: RUNS runs of NAME's packet give ACTION,
# counted RUNS times; the packet comes back as it went in.
xdp_case()
{
	both "xdp_portdrop: $4 x$3: ${verdict[$2]}" "retval $2
data_out $(hexof "$out/in/$1.bin")
map verdicts $(le "$2" 4) $(le "$3" 8)
$rodata" "$obj" --data "$out/in/$1.bin" --repeat "$3"
}

packet tcp80 "$(ether $ETH_P_IP "$(ipv4 $IPPROTO_TCP "$(tcp 80)")")"
packet tcp443 "$(ether $ETH_P_IP "$(ipv4 $IPPROTO_TCP "$(tcp 443)")")"
packet udp80 "$(ether $ETH_P_IP "$(ipv4 $IPPROTO_UDP "$(udp 80)")")"
packet icmp "$(ether $ETH_P_IP "$(ipv4 $IPPROTO_ICMP "$(icmp)")")"
# With a router-alert option: a parser that took the IP header for 20
# bytes would read the option's last two bytes as the destination port.
packet opt_tcp80 "$(ether $ETH_P_IP "$(ipv4 $IPPROTO_TCP "$(tcp 80)" 94040000)")"
packet opt_tcp443 "$(ether $ETH_P_IP "$(ipv4 $IPPROTO_TCP "$(tcp 443)" 94040050)")"
packet frag_first "$(ether $ETH_P_IP "$(ipv4 $IPPROTO_TCP "$(tcp 80)" "" 0x2000)")"
packet frag_later "$(ether $ETH_P_IP "$(ipv4 $IPPROTO_TCP "$(tcp 80)" "" 0x00b9)")"
packet ipv6_type "$(ether $ETH_P_IPV6 "$(ipv4 $IPPROTO_TCP "$(tcp 80)")")"
tcp_short=$(tcp 80)
packet tcp_short "$(ether $ETH_P_IP "$(ipv4 $IPPROTO_TCP "${tcp_short:0:38}")")"

xdp_case tcp80 $XDP_DROP 1 "TCP to port 80"
xdp_case tcp80 $XDP_DROP 4 "TCP to port 80"
xdp_case tcp443 $XDP_PASS 1 "TCP to port 443"
xdp_case udp80 $XDP_PASS 1 "UDP to port 80"
xdp_case opt_tcp80 $XDP_DROP 1 "TCP to port 80 behind an IP option"
xdp_case opt_tcp443 $XDP_PASS 1 "TCP to 443 behind an option ending in 80"
xdp_case frag_first $XDP_DROP 1 "first fragment of TCP to port 80"
xdp_case frag_later $XDP_PASS 1 "later fragment (no TCP header)"
xdp_case ipv6_type $XDP_PASS 1 "IPv4 bytes under the IPv6 ethertype"
xdp_case tcp_short $XDP_PASS 2 "TCP header cut one byte short"

# --- sockex_proto: packets and bytes per IP protocol ---------------------------

obj=$out/sockex_proto.o
maps=proto_count

# sock_case NAME RUNS: NAME's packet RUNS times.  A socket filter's test run
# starts at the network header: the program sees and returns the length
# after the Ethernet header, and the header comes back zeroed.
sock_case()
{
	local data proto len

	data=$(hexof "$out/in/$1.bin")
	proto=$((16#${data:$(((ETH_HLEN + 9) * 2)):2}))
	len=$((${#data} / 2 - ETH_HLEN))
	both "sockex_proto: $1 x$2: protocol $proto, $len bytes each" \
	     "retval $len
data_out $(zeros $ETH_HLEN)${data:$((ETH_HLEN * 2))}
map proto_count $(le "$proto" 4) $(le "$2" 8)$(le $(($2 * len)) 8)" \
	     "$obj" --data "$out/in/$1.bin" --repeat "$2"
}

sock_case tcp80 1
sock_case udp80 1
sock_case icmp 1
sock_case opt_tcp443 3

# --- dropmon: drops counted by location (bpf64 only) ---------------------------

obj=$out/dropmon.o
maps=drops

# Linux has no BPF_PROG_TEST_RUN for tracepoint programs: it must refuse
# with ENOTSUPP (524), which libc's strerror has no name for.
tracepoint_on_linux()
{
	local desc="$1 on linux: no test run for tracepoint programs"

	if [[ -n $linux_skip ]]; then
		tap_result ok "$desc # SKIP $linux_skip"
	elif ! "$bpf64" run "$2" --ctx "$3" --linux > "$tmp/log" 2>&1 &&
	     grep -q 'test run failed: Unknown error 524' "$tmp/log"; then
		tap_result ok "$desc # SKIP Linux answers ENOTSUPP"
	else
		tap_result not_ok "$desc (expected ENOTSUPP)" "$tmp/log"
	fi
}

# kfree_skb NAME SKB LOCATION: an skb:kfree_skb record as Linux 6.18 lays
# it out: common fields, skbaddr, location, rx_sk, protocol, reason.
kfree_skb()
{
	packet "$1" "0001000001020304$(le "$2" 8)$(le "$3" 8)$(zeros 8)$(le $ETH_P_IP 2)0000$(le 3 4)"
}

# dropmon_case NAME RUNS: the location of NAME's record counts RUNS.
dropmon_case()
{
	local loc

	loc=$(od -An -tx8 -j16 -N8 "$out/in/$1.bin" | tr -d ' ')
	expect "dropmon: $1 x$2" bpf64 "retval 0
map drops $(le $((16#$loc)) 8) $(le "$2" 8)" \
	       "$obj" --ctx "$out/in/$1.bin" --repeat "$2"
}

kfree_skb drop_a 0xffff888100ab0000 0xffffffff81a2b3c4
kfree_skb drop_b 0xffff888100ab0100 0xffffffff81000010
dropmon_case drop_a 1
dropmon_case drop_a 5
dropmon_case drop_b 2
tracepoint_on_linux dropmon "$obj" "$out/in/drop_a.bin"

# --- devfilter: a trace line for each packet on "lo" (bpf64 only) --------------

obj=$out/devfilter.o
maps=

# cstr STRING: the string and its NUL, in hex.
cstr()
{
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
	printf '00'
}

# netif_receive_skb NAME SKB LEN DEVICE [FILL]: a net:netif_receive_skb
# record: common fields, skbaddr, len, the __data_loc of the name, the
# bytes FILL (hex), then the name and its NUL.
netif_receive_skb()
{
	local name fill=${5:-}

	name=$(cstr "$4")
	packet "$1" "0001000001020304$(le "$2" 8)$(le "$3" 4)$(le $((24 + ${#fill} / 2)) 2)$(le $((${#name} / 2)) 2)$fill$name"
}

# devfilter_case NAME RUNS MATCH: RUNS runs of NAME's record print a line
# each if MATCH is 1, nothing if 0.
devfilter_case()
{
	local f=$out/in/$1.bin want="retval 0" line i

	line="trace skb $(od -An -tx8 -j8 -N8 "$f" | tr -d ' ')"
	line+=" len $(($(od -An -tu4 -j16 -N4 "$f"))) dev lo"
	for ((i = 0; i < $2 * $3; i++)); do
		want+=$'\n'"$line"
	done
	expect "devfilter: $1 x$2" bpf64 "$want" "$obj" --ctx "$f" --repeat "$2"
}

netif_receive_skb rx_lo 0xffff888104abcd00 98 lo
# "lo" after "eth0": found only through the __data_loc's offset.
netif_receive_skb rx_lo_far 0xffff888104abce00 1514 lo "$(cstr eth0)$(zeros 3)"
netif_receive_skb rx_eth0 0xffff888104abcf00 60 eth0
netif_receive_skb rx_lo0 0xffff888104abd000 60 lo0
netif_receive_skb rx_l 0xffff888104abd100 60 l
devfilter_case rx_lo 1 1
devfilter_case rx_lo 3 1
devfilter_case rx_lo_far 1 1
devfilter_case rx_eth0 1 0
devfilter_case rx_lo0 1 0
devfilter_case rx_l 1 0
tracepoint_on_linux devfilter "$obj" "$out/in/rx_lo.bin"

[[ $failed -eq 0 ]]
