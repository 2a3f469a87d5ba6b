// SPDX-License-Identifier: GPL-2.0
/*
 * Payload inspection: the TCP payload of an IPv4 packet compared with
 * the HTTP methods in a read-only table (.rodata), byte by byte in
 * bounded loops; matches are counted in global variables (.bss), the
 * ports to watch come from .data.  http_method answers the method's
 * index + 1, 0 for none, 100 + the port's index for a watched port with
 * no method.
 */
#include "verif_common.h"

static const char methods[4][8] = { "GET ", "POST ", "HEAD ", "PUT " };
static const __u8 method_len[4] = { 4, 5, 5, 4 };
__u16 watched[2] = { 23, 8080 };
__u64 matches[4];
__u64 scanned;

SEC("tc")
int http_method(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct tcphdr *tcp = (void *)(ip + 1);
	__u8 *pay = (void *)(tcp + 1);
	int m, i;

	if ((void *)(tcp + 1) > end || ip->protocol != IPPROTO_TCP ||
	    ip->ihl != 5 || tcp->doff != 5)
		return 0;
	scanned++;
	for (m = 0; m < 4; m++) {
		for (i = 0; i < 8; i++) {
			if (i >= method_len[m])
				break;
			if ((void *)(pay + i + 1) > end ||
			    pay[i] != methods[m][i])
				break;
		}
		if (i == method_len[m]) {
			matches[m]++;
			return m + 1;
		}
	}
	for (i = 0; i < 2; i++)
		if (tcp->dest == htons(watched[i]))
			return 100 + i;
	return 0;
}

char _license[] SEC("license") = "GPL";
