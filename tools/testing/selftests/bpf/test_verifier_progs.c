// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier on realistic programs: progs/verif_*.c, as clang-19 builds
 * them at -mcpu=v1..v4 (packet parsers, bounded loops, maps of every
 * kind, helpers, bpf-to-bpf calls, switches, spills under register
 * pressure).  Each object is loaded through both backends: Linux must
 * accept every program (if it does not, the program is wrong), bpf64
 * must accept it too, and where the type can be test-run both run it on
 * the same packets, in the same order (maps carry state from run to run),
 * and must give the same answers; some answers are also stated here.
 *
 *	test_verifier_progs [object-substring]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_util.h"
#include "bpf64/elf.h"

#define LOG_SIZE	(1u << 20)
#define MAX_PROGS	4
#define NR_VARIANTS	4
#define ANY		(-1LL)		/* an answer not stated here */

/* ---- packets ---- */

enum {
	PKT_TCP23, PKT_TCP_OPTS, PKT_VLAN_UDP7, PKT_QINQ_V6, PKT_UDP_BADSUM,
	PKT_ETH_ONLY, PKT_BYTES, PKT_VM, PKT_ICMP, PKT_HTTP, PKT_V6_EXT,
	PKT_DNS, PKT_VXLAN, NR_PKTS
};

static const char *const pkt_names[NR_PKTS] = {
	"ipv4 tcp to 23", "ipv4 with options, tcp syn+fin to 80",
	"vlan ipv4 udp to 7", "q-in-q ipv6 tcp to 443",
	"ipv4 udp, bad ip checksum", "ethernet, ipv4 cut short", "bytes 0..63",
	"stack machine code", "ipv4 icmp", "ipv4 tcp to 8080, POST",
	"ipv6, hop-by-hop, routing, udp", "dns query www.example.com",
	"vxlan 0x1234, inner ipv4 with options, tcp",
};

/* The query name's labels, as verif_dns.c hashes them (FNV-1a). */
static const char *const dns_labels[] = { "www", "example", "com" };

struct pkt {
	unsigned char b[128];
	unsigned int len;
};

static struct pkt pkts[NR_PKTS];

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static unsigned int ip_csum(const unsigned char *p, unsigned int len)
{
	unsigned long sum = 0;

	for (unsigned int i = 0; i < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Ethernet with @tags VLAN tags, then @proto; returns the header size. */
static unsigned int eth(unsigned char *p, int tags, unsigned int proto)
{
	unsigned int n = 12;

	for (int i = 0; i < 12; i++)
		p[i] = 0x10 + i;
	for (int i = 0; i < tags; i++, n += 4) {
		put16(p + n, i == 0 && tags == 2 ? 0x88a8 : 0x8100);
		put16(p + n + 2, 100 + i);
	}
	put16(p + n, proto);
	return n + 2;
}

/* IPv4 with @opt_words words of options, to 10.1.2.3; its size. */
static unsigned int ipv4(unsigned char *p, unsigned int proto,
			 unsigned int opt_words, unsigned int payload,
			 bool good_sum)
{
	unsigned int hlen = 20 + opt_words * 4;
	static const unsigned char addrs[8] = { 192, 168, 7, 9, 10, 1, 2, 3 };

	p[0] = 0x40 | hlen / 4;
	put16(p + 2, hlen + payload);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, addrs, sizeof(addrs));
	for (unsigned int i = 20; i < hlen; i++)
		p[i] = 1;		/* NOP options */
	put16(p + 10, ip_csum(p, hlen) ^ (good_sum ? 0 : 0x5a));
	return hlen;
}

static unsigned int tcp(unsigned char *p, unsigned int dport,
			unsigned int flags)
{
	put16(p, 40000);
	put16(p + 2, dport);
	p[7] = 42;			/* seq */
	p[12] = 5 << 4;
	p[13] = flags;
	return 20;
}

static unsigned int udp(unsigned char *p, unsigned int dport)
{
	put16(p, 5353);
	put16(p + 2, dport);
	put16(p + 4, 8);
	return 8;
}

static void build_pkts(void)
{
	static const unsigned char vm[] = {
		1, 3, 1, 4, 2, 0, 1, 5, 3, 0, 5, 0, 2, 0, 8, 0,
	};
	unsigned char *p;
	unsigned int n;

	p = pkts[PKT_TCP23].b;
	n = eth(p, 0, 0x0800);
	n += ipv4(p + n, 6, 0, 20, true);
	pkts[PKT_TCP23].len = n + tcp(p + n, 23, 0x02);

	p = pkts[PKT_TCP_OPTS].b;
	n = eth(p, 0, 0x0800);
	n += ipv4(p + n, 6, 1, 20, true);
	pkts[PKT_TCP_OPTS].len = n + tcp(p + n, 80, 0x03);

	p = pkts[PKT_VLAN_UDP7].b;
	n = eth(p, 1, 0x0800);
	n += ipv4(p + n, 17, 0, 8, true);
	pkts[PKT_VLAN_UDP7].len = n + udp(p + n, 7);

	p = pkts[PKT_QINQ_V6].b;
	n = eth(p, 2, 0x86dd);
	p[n] = 0x60;
	put16(p + n + 4, 20);
	p[n + 6] = 6;
	p[n + 7] = 64;
	n += 40;
	pkts[PKT_QINQ_V6].len = n + tcp(p + n, 443, 0x10);

	p = pkts[PKT_UDP_BADSUM].b;
	n = eth(p, 0, 0x0800);
	n += ipv4(p + n, 17, 0, 8, false);
	pkts[PKT_UDP_BADSUM].len = n + udp(p + n, 53);

	/* Linux test-runs tc programs on more than an Ethernet header */
	pkts[PKT_ETH_ONLY].len = eth(pkts[PKT_ETH_ONLY].b, 0, 0x0800) + 6;

	for (n = 0; n < 64; n++)
		pkts[PKT_BYTES].b[n] = n * 7 + 1;
	pkts[PKT_BYTES].len = 64;

	/* push 3, push 4, add, push 5, mul, dup, add, end: 70 */
	memcpy(pkts[PKT_VM].b, vm, sizeof(vm));
	pkts[PKT_VM].len = sizeof(vm);

	p = pkts[PKT_ICMP].b;
	n = eth(p, 0, 0x0800);
	n += ipv4(p + n, 1, 0, 8, true);
	pkts[PKT_ICMP].len = n + 8;

	p = pkts[PKT_HTTP].b;
	n = eth(p, 0, 0x0800);
	n += ipv4(p + n, 6, 0, 30, true);
	n += tcp(p + n, 8080, 0x18);
	memcpy(p + n, "POST /x", 7);
	pkts[PKT_HTTP].len = n + 10;

	/* hop-by-hop (8 bytes), routing (24), then UDP */
	p = pkts[PKT_V6_EXT].b;
	n = eth(p, 0, 0x86dd);
	p[n] = 0x60;
	put16(p + n + 4, 40);
	p[n + 6] = 0;
	n += 40;
	p[n] = 43;
	n += 8;
	p[n] = 17;
	p[n + 1] = 2;
	n += 24;
	pkts[PKT_V6_EXT].len = n + udp(p + n, 9);

	p = pkts[PKT_DNS].b;
	n = eth(p, 0, 0x0800);
	n += ipv4(p + n, 17, 0, 8 + 12 + 17 + 4, true);
	n += udp(p + n, 53);
	put16(p + n + 4, 1);		/* qdcount */
	n += 12;
	for (size_t i = 0; i < 3; i++) {
		p[n++] = strlen(dns_labels[i]);
		memcpy(p + n, dns_labels[i], strlen(dns_labels[i]));
		n += strlen(dns_labels[i]);
	}
	p[n++] = 0;
	put16(p + n, 1);		/* A */
	pkts[PKT_DNS].len = n + 4;

	/* outer IPv4 with options; inner Ethernet, IPv4 with options, TCP */
	p = pkts[PKT_VXLAN].b;
	n = eth(p, 0, 0x0800);
	n += ipv4(p + n, 17, 1, 8 + 8 + 14 + 24 + 20, true);
	n += udp(p + n, 4789);
	p[n] = 0x08;			/* VNI valid */
	p[n + 5] = 0x12;
	p[n + 6] = 0x34;
	n += 8;
	n += eth(p + n, 0, 0x0800);
	n += ipv4(p + n, 6, 1, 20, true);
	pkts[PKT_VXLAN].len = n + tcp(p + n, 22, 0x02);
}

/* ---- the objects ---- */

struct prog_check {
	const char *name;
	bool run;
	/* per packet: the answer, or ANY (the backends must still agree) */
	long long expect[NR_PKTS];
	bool ctx_run;		/* the packet is the context (SYSCALL) */
};

struct obj_check {
	const char *obj;
	void (*setup)(const struct bpf64_backend *be, struct bpf64_object *o);
	struct prog_check progs[MAX_PROGS];
	/*
	 * Linux accepts it only thanks to what bpf64's verifier does not
	 * have yet (the reason): bpf64 refusing it with -E2BIG is reported
	 * as skipped, not failed.
	 */
	const char *pending;
};

#define ALL_ANY								\
	{ ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY }

static int map_fd(struct bpf64_object *o, const char *name)
{
	struct bpf64_elf_map *m = bpf64_object_find_map(o, name);

	return m ? m->fd : -1;
}

/* Routes: 10/8 to port 0 hop 1, 10.1/16 to port 1 hop 2, 192.168/16
 * to port 3 (which has no hops map). */
static void setup_route(const struct bpf64_backend *be,
			struct bpf64_object *o)
{
	static const struct {
		unsigned int prefixlen;
		unsigned char addr[4];
		unsigned int port, hop;
	} routes[] = {
		{ 8, { 10 }, 0, 1 }, { 16, { 10, 1 }, 1, 2 },
		{ 16, { 192, 168 }, 3, 0 },
	};
	unsigned char mac[6] = { 2, 0, 0, 0, 0, 0x11 };
	unsigned int key;
	int err = 0;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		unsigned char k[8];
		unsigned int v[2] = { routes[i].port, routes[i].hop };

		memcpy(k, &routes[i].prefixlen, 4);
		memcpy(k + 4, routes[i].addr, 4);
		err |= bpf64_map_update(be, map_fd(o, "route_table"), k, v, 0);
	}
	key = 1;
	err |= bpf64_map_update(be, map_fd(o, "route_hops0"), &key, mac, 0);
	key = 2;
	mac[5] = 0x22;
	err |= bpf64_map_update(be, map_fd(o, "route_hops1"), &key, mac, 0);
	TU_CHECK(!err, "%s: routes and next hops written", be->name);
}

/* The test's query name is blocked: its hash in dns_blocked. */
static void setup_dns(const struct bpf64_backend *be, struct bpf64_object *o)
{
	unsigned int hash = 2166136261u;
	unsigned char one = 1;

	for (size_t i = 0; i < 3; i++)
		for (const char *c = dns_labels[i]; *c; c++)
			hash = (hash ^ (unsigned char)*c) * 16777619u;
	TU_CHECK(!bpf64_map_update(be, map_fd(o, "dns_blocked"), &hash, &one,
				   0), "%s: blocked name written", be->name);
}

static const struct obj_check objs[] = {
	{ "verif_xdp_parse", NULL, {
		{ "xdp_parse", true,
		  { 1, 2, 3, 2, 2, 0, 2, 2, 2, 2, 2, ANY, ANY } },
	} },
	{ "verif_tc_parse", NULL, {
		/* (both refuse to run tc on a cut IPv4 header) */
		{ "tc_parse", true,
		  { 23, 2, 0, 0, 0, ANY, 0, 0, 0, 0x90, 0, ANY, ANY } },
	} },
	{ "verif_loops", NULL, {
		{ "loops_sum", true, ALL_ANY },
		{ "loops_scan", true, ALL_ANY },
		{ "loops_rolled", true, ALL_ANY },
	} },
	{ "verif_flows", NULL, {
		{ "flows_count", true,
		  { 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, ANY, ANY } },
		{ "flows_first", true,
		  { 0x102, 0, 0, 0, 0x100, 0, 0, 0, 0, 0x118, 0, ANY, ANY } },
	} },
	{ "verif_percpu", NULL, {
		{ "percpu_stats", true, ALL_ANY },
	} },
	{ "verif_route", setup_route, {
		{ "route_xdp", true,
		  { 256 + 0x22, 256 + 0x22, 0, 0, 256 + 0x22, 0, 0, 0,
		    256 + 0x22, 256 + 0x22, 0, ANY, ANY } },
	} },
	{ "verif_events", NULL, {
		{ "events_xdp", true, ALL_ANY },
	} },
	{ "verif_trace", NULL, {
		{ "trace_open", false, ALL_ANY },
	} },
	{ "verif_csum", NULL, {
		{ "csum_check", true,
		  { 1, 0, 0, 0, 2, ANY, 0, 0, 1, 1, 0, ANY, ANY } },
	} },
	{ "verif_calls", NULL, {
		{ "calls_socket", true, ALL_ANY },
	} },
	{ "verif_switch", NULL, {
		{ "vm_run", true,
		  { ANY, ANY, ANY, ANY, ANY, ANY, ANY, 70, ANY, ANY, ANY, ANY,
		    ANY } },
		{ "vm_class", true,
		  { 20, 20, ANY, ANY, 30, 0, ANY, 0, 10, 20, ANY, ANY, ANY } },
	} },
	{ "verif_spill", NULL, {
		{ "spill_mix", true, ALL_ANY },
	} },
	{ "verif_http", NULL, {
		{ "http_method", true,
		  { 100, 0, 0, 0, 0, ANY, 0, 0, 0, 2, 0, ANY, ANY } },
	} },
	{ "verif_ipv6_ext", NULL, {
		{ "ipv6_l4", true,
		  { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17, ANY, ANY } },
	} },
	{ "verif_tc_rewrite", NULL, {
		{ "tc_ttl", true,
		  { 63, 63, 0, 0, 63, ANY, 0, 0, 63, 63, 0, ANY, ANY } },
	} },
	{ "verif_signed", NULL, {
		{ "signed_mix", true, ALL_ANY },
	} },
	{ "verif_atomics", NULL, {
		{ "atomic_ops", true,
		  { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ANY, ANY } },
	} },
	{ "verif_pkt_calls", NULL, {
		{ "pkt_calls", true, ALL_ANY },
	} },
	{ "verif_stackbuf", NULL, {
		{ "stack_hist", true, ALL_ANY },
	}, "precision tracking" },
	{ "verif_xdp_adjust", NULL, {
		{ "adjust_entry", true,
		  { 0, 0, 2100, 0xa8, 0, 0, ANY, ANY, 0, 0, 0xdd, ANY, ANY } },
	} },
	{ "verif_syscall", NULL, {
		/* (both refuse contexts shorter than the program reads) */
		{ "sys_sum", true,
		  { 0, 0, 0, 0, 0, ANY, 841688093, ANY, ANY, 0, 0, ANY, ANY },
		  true },
	} },
	{ "verif_tcp_opts", NULL, {
		{ "tcp_mss", true,
		  { 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, ANY, ANY } },
	} },
	{ "verif_dns", setup_dns, {
		{ "dns_query", true,
		  { 0, 0, 0, 0, 0, ANY, 0, 0, 0, 0, 0, 1001, ANY } },
	} },
	{ "verif_ctx_narrow", NULL, {
		{ "ctx_narrow", true, ALL_ANY },
		{ "ctx_xdp", true, ALL_ANY },
	} },
	{ "verif_tunnel", NULL, {
		{ "tunnel_vni", true,
		  { 0, 0, 0, 0, 0, ANY, 0, 0, 0, 0, 0, 0, 0x61234 } },
	} },
	{ "verif_tracepoint", NULL, {
		{ "tp_switch", false, ALL_ANY },
	}, "precision tracking" },
	{ "verif_ld_abs", NULL, {
		{ "sf_port", true,
		  { 23, 80, 0, 0, 0, ANY, 0, 0, 0, 8080, 0, ANY, ANY } },
	} },
};

/* ---- loading and running ---- */

static char progs_dir[4096];
static char *log_buf;

struct answers {
	bool loaded;
	int err[MAX_PROGS][NR_PKTS];
	unsigned int ret[MAX_PROGS][NR_PKTS];
};

static void run_prog(const struct bpf64_backend *be,
		     struct bpf64_program *p, const struct prog_check *pc,
		     int idx, struct answers *a)
{
	for (int i = 0; i < NR_PKTS; i++) {
		unsigned char out[256], ctx[sizeof(pkts[i].b)];
		struct bpf64_test_opts t = {
			.data_in = pkts[i].b, .data_size_in = pkts[i].len,
			.data_out = out, .data_size_out = sizeof(out),
			.repeat = 1,
		};

		/*
		 * A syscall program takes a context, no packet nor repeat;
		 * the context is written back (Linux too): a copy.
		 */
		if (pc->ctx_run) {
			memcpy(ctx, pkts[i].b, sizeof(ctx));
			t = (struct bpf64_test_opts){
				.ctx_in = ctx, .ctx_size_in = pkts[i].len,
			};
		}

		a->err[idx][i] = bpf64_prog_test_run(be, p->fd, &t);
		a->ret[idx][i] = t.retval;
	}
}

static void load_and_run(const struct bpf64_backend *be,
			 const struct obj_check *c, const char *path,
			 struct answers *a)
{
	char err[512];
	struct bpf64_object *o = bpf64_object_open_file(path, err, sizeof(err));
	int ret;

	memset(a, 0, sizeof(*a));
	if (!o) {
		TU_CHECK(0, "%s: %s opens: %s", be->name, path, err);
		return;
	}
	log_buf[0] = '\0';
	ret = bpf64_object_load(o, be, log_buf, LOG_SIZE);
	if (ret == -E2BIG && c->pending && be == &bpf64_backend_hosted) {
		tu_skip("# SKIP %s: %s: too complex without %s", be->name,
			path, c->pending);
		bpf64_object_close(o);
		return;
	}
	TU_CHECK(!ret, "%s: %s: every program accepted%s%s", be->name, path,
		 ret ? ": " : "", ret ? strerror(-ret) : "");
	if (ret) {
		const char *tail = log_buf + strlen(log_buf);

		tail -= tail - log_buf > 600 ? 600 : tail - log_buf;
		tu_diag("log ends: %s", tail);
		bpf64_object_close(o);
		return;
	}
	a->loaded = true;
	if (c->setup)
		c->setup(be, o);
	for (int k = 0; k < MAX_PROGS && c->progs[k].name; k++) {
		struct bpf64_program *p = bpf64_object_find_program(o,
							c->progs[k].name);

		TU_CHECK(p && p->fd >= 0, "%s: %s: %s loaded", be->name, path,
			 c->progs[k].name);
		if (p && p->fd >= 0 && c->progs[k].run)
			run_prog(be, p, &c->progs[k], k, a);
	}
	bpf64_object_close(o);
}

/* The answers stated in the table, and the two backends alike. */
static void compare(const struct obj_check *c, const char *path,
		    const struct answers *ours, const struct answers *theirs)
{
	for (int k = 0; k < MAX_PROGS && c->progs[k].name; k++) {
		const struct prog_check *pc = &c->progs[k];
		bool stated = true, same = true;

		if (!pc->run)
			continue;
		for (int i = 0; i < NR_PKTS; i++) {
			long long want = pc->expect[i];

			if (want != ANY && (ours->err[k][i] ||
					    ours->ret[k][i] != want)) {
				stated = false;
				tu_diag("%s on %s: %d %u, expected %lld",
					pc->name, pkt_names[i],
					ours->err[k][i], ours->ret[k][i],
					want);
			}
			if (!theirs->loaded)
				continue;
			if (ours->err[k][i] != theirs->err[k][i] ||
			    ours->ret[k][i] != theirs->ret[k][i]) {
				same = false;
				tu_diag("%s on %s: bpf64 %d %u, linux %d %u",
					pc->name, pkt_names[i],
					ours->err[k][i], ours->ret[k][i],
					theirs->err[k][i], theirs->ret[k][i]);
			}
		}
		TU_CHECK(stated, "bpf64: %s: %s answers as stated", path,
			 pc->name);
		if (theirs->loaded)
			TU_CHECK(same, "%s: %s answers as Linux on %d packets",
				 path, pc->name, NR_PKTS);
	}
}

static void check_object(const struct obj_check *c)
{
	static struct answers ours, theirs;
	char path[4400], why[128];

	for (int v = 1; v <= NR_VARIANTS; v++) {
		snprintf(path, sizeof(path), "%s/%s.v%d.o", progs_dir, c->obj,
			 v);
		theirs.loaded = false;
		if (bpf64_linux_available(why, sizeof(why)))
			load_and_run(&bpf64_backend_linux, c, path, &theirs);
		else
			tu_skip("# SKIP linux: %s: %s", path, why);
		/* a pending one walks a million insns: one CPU version */
		ours.loaded = false;
		if (c->pending && v != NR_VARIANTS)
			tu_skip("# SKIP bpf64: %s: pending (%s), tried at v%d",
				path, c->pending, NR_VARIANTS);
		else
			load_and_run(&bpf64_backend_hosted, c, path, &ours);
		if (ours.loaded)
			compare(c, path, &ours, &theirs);
	}
}

int main(int argc, char **argv)
{
	const char *filter = NULL;
	char exe[4096];

	if (argc > 1)
		filter = argv[1];
	snprintf(exe, sizeof(exe), "%s", argv[0]);
	snprintf(progs_dir, sizeof(progs_dir), "%s/../progs", dirname(exe));
	log_buf = malloc(LOG_SIZE);
	if (!log_buf)
		return 1;
	build_pkts();
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		if (!filter || strstr(objs[i].obj, filter))
			check_object(&objs[i]);
	free(log_buf);
	return tu_exit();
}
