// SPDX-License-Identifier: GPL-2.0
/*
 * Pod traffic as the pod's own devices see it: tc programs (tcx links, or cls_bpf direct-action filters
 * on a clsact qdisc) on every device of every pod's network namespace, one for ingress (the pod
 * receives) and one for egress (the pod sends). Every packet is passed on unchanged: the programs
 * return -1, which is TCX_NEXT for tcx and TC_ACT_UNSPEC for cls_bpf, so a CNI's own programs on the
 * same device run as before.
 *
 * Per packet:
 * - the namespace inode (skb->dev->nd_net), then the namespace's slot in netns_slots (a hash user space
 *   writes when it attaches; the programs only read it), asked only when the namespace differs from the
 *   previous packet's on that CPU;
 * - the slot's per-CPU counters in traffic (a per-CPU array: no hash update, no atomic), and the
 *   histograms: the node's by default, the slot's when user space asks for them per pod;
 * - the headers copied from the skb's linear part (bpf_skb_load_bytes where they are not there): IPv4 or
 *   IPv6 (with up to four extension headers), then the TCP header, its options only for SYNs;
 * - for IP packets, whether the remote address lies in internal_networks (an LPM trie; IPv4 as
 *   IPv4-mapped IPv6), to tell internet-bound traffic: asked once per remote address change on a CPU;
 * - on egress, TCP segments with data or FIN from a local socket add its smoothed RTT to a histogram.
 *
 * Bytes are skb->len (the frame as the device counts it in net/dev, link-layer header included); one
 * skb is one packet, so a GSO or GRO super-packet counts once, as the device and tcpdump see it.
 *
 * Flows, for the namespaces user space marks (a MonitorPolicy task asks for per-flow items of the pod):
 * one entry of the flows hash per (namespace, protocol, local and remote address and port), holding both
 * directions, the socket's smoothed RTT, and the retransmissions and drops two tracepoint programs
 * attribute to the connection's socket. The map has a fixed size; an insert it refuses is counted in
 * flow_insert_failures. With FLOW_SERVICE the larger of the two ports (a client's ephemeral one) is
 * folded to 0, so every connection from a client to one server port shares one entry.
 */
#include "podnet.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define TC_PASS_ON -1 /* TCX_NEXT == TC_ACT_UNSPEC */

#define DIR_RECEIVE 0
#define DIR_TRANSMIT 1

#define FAMILY_IPV4 0
#define FAMILY_IPV6 1
#define FAMILY_OTHER 2 /* not IP: ARP, LLDP, ... */
#define FAMILIES 3

#define PROTO_TCP 0
#define PROTO_UDP 1
#define PROTO_ICMP 2
#define PROTO_OTHER 3
#define PROTOS 4

#define WSCALE_NONE 15 /* a SYN without the window-scale option */
#define WSCALE_SLOTS 16
#define WSCALE_MAX 14 /* RFC 7323: a larger shift is used as 14 */

/*
 * Size histograms in bytes with exact upper bounds: slot 0 holds 0, slot i (1..SIZE_SLOTS-2) holds
 * (2^(i-2), 2^(i-1)], so its bound is 2^(i-1); the last slot is +Inf.
 */
#define SIZE_SLOTS 20

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

#define IPPROTO_HOPOPTS 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_ICMPV6 58
#define IPPROTO_DSTOPTS 60
#define MAX_IPV6_EXTENSIONS 4

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04

struct size_hist {
	__u64 slots[SIZE_SLOTS];
	__u64 sum;
};

struct direction_stats {
	__u64 bytes[FAMILIES][PROTOS];
	__u64 packets[FAMILIES][PROTOS];
	__u64 internet_bytes[2]; /* by family: ipv4, ipv6 */
	__u64 internet_packets[2];
	__u64 tcp_rst;
	__u64 tcp_zero_window;
	__u64 ipv4_df;
	__u64 window_scale[WSCALE_SLOTS];
};

struct pod_traffic {
	struct direction_stats dir[2];
};

struct traffic_histograms {
	struct size_hist packet_size[2]; /* by direction */
	struct size_hist tcp_payload[2];
	struct log2_hist rtt_us; /* smoothed RTT in microseconds, log2 slots as podnet.h */
};

/*
 * Whether the histograms are kept per namespace slot (histograms has a slot per namespace) or once for
 * the node (one entry). Set by user space before loading.
 */
const volatile __u32 per_pod_histograms = 0;

#define FLOW_NONE 0
#define FLOW_SERVICE 1 /* the larger port folded to 0 */
#define FLOW_5TUPLE 2

struct netns_slot {
	__u32 slot;
	__u32 flow_mode; /* FLOW_* */
};

/* Network namespace inode -> slot in traffic and flow mode; written by user space only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct netns_slot);
} netns_slots SEC(".maps");

struct traffic_flow_key {
	__u32 netns;
	__u8 protocol; /* IPPROTO_* */
	__u8 family; /* FAMILY_IPV4 or FAMILY_IPV6 */
	__u16 local_port; /* host order; 0 when folded or the protocol has no ports */
	__u16 remote_port;
	__u16 pad;
	__u8 local[16]; /* IPv6, or IPv4-mapped */
	__u8 remote[16];
};

struct traffic_flow {
	__u64 bytes[2]; /* by direction */
	__u64 packets[2];
	__u64 retransmits; /* segments, as the namespace's RetransSegs counts them */
	__u64 drops;
	__u64 first_seen_ns; /* bpf_ktime_get_ns of the first packet (user space ages flows by their counters) */
	__u32 srtt_us; /* the socket's smoothed RTT at its last data segment sent */
	__u32 pad;
};

/* max_entries is set by user space before loading; no preallocation: memory follows the flows seen. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct traffic_flow_key);
	__type(value, struct traffic_flow);
} flows SEC(".maps");

/* Flows the full flows map could not take (one per packet refused). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} flow_insert_failures SEC(".maps");

/* Per slot, per CPU; max_entries is set with netns_slots' by user space before loading. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct pod_traffic);
} traffic SEC(".maps");

/* Entry 0 for the node, or one per slot; max_entries is set by user space before loading. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct traffic_histograms);
} histograms SEC(".maps");

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[16]; /* IPv6, or IPv4-mapped (::ffff:a.b.c.d) */
};

/* The config's internal networks; a remote address outside all of them is the internet. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u8);
} internal_networks SEC(".maps");

/*
 * What each CPU looked up last: its namespace's slot, and the remote address with the answer whether it
 * is internal. A stream's packets follow each other on a CPU, so most packets skip the hash lookup and
 * the trie walk (the costliest steps of the program). An answer is good while its generation is the
 * current one: user space bumps generations.slots after letting go of a namespace and
 * generations.internal after changing the trie.
 */
struct cpu_cache {
	struct lpm_key remote;
	__u32 remote_generation;
	__u32 remote_internal;
	__u32 netns;
	__u32 netns_generation;
	__u32 slot;
	__u32 flow_mode;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_cache);
} cpu_caches SEC(".maps");

struct generations {
	__u32 slots;
	__u32 internal;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct generations);
} generations SEC(".maps");

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

struct ipv4_header {
	__u8 version_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__be16 check;
	__u8 saddr[4];
	__u8 daddr[4];
};

struct ipv6_header {
	__be32 version_class_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct tcp_header {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff_reserved;
	__u8 flags;
	__be16 window;
	__be16 check;
	__be16 urg_ptr;
};

/* What the L3 parse learnt; l4_offset < 0 when the packet has no parseable transport header. */
struct l3_info {
	__u32 family;
	__u32 protocol;
	__s32 l4_offset;
	__u32 ip_length; /* IP packet length: header(s) and payload */
	__u32 l4_length; /* ip_length minus the IP header and extension headers */
	struct lpm_key remote;
	__u8 local[16]; /* IPv4-mapped like remote */
};

/*
 * Copies a header into dst: straight from the packet when it lies in the skb's linear part (almost
 * always: the kernel keeps headers there), through the bpf_skb_load_bytes helper otherwise. The direct
 * path saves a helper call per header on every packet.
 */
#define MAX_DIRECT_OFFSET 512
static __always_inline int read_header(struct __sk_buff *skb, __u32 offset, void *dst, const __u32 size)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (offset <= MAX_DIRECT_OFFSET) {
		void *p = data + offset;

		if (p + size <= data_end) {
			__builtin_memcpy(dst, p, size);
			return 0;
		}
	}
	return bpf_skb_load_bytes(skb, offset, dst, size);
}

static __always_inline __u32 size_slot(__u64 v)
{
	__u32 slot = v == 0 ? 0 : bit_length(v - 1) + 1;

	if (slot > SIZE_SLOTS - 1)
		slot = SIZE_SLOTS - 1;
	barrier_var(slot); /* see log2_hist_add in podnet.h */
	return slot & 31;
}

static __always_inline void size_observe(struct size_hist *h, __u64 v)
{
	__u32 slot = size_slot(v);

	if (slot < SIZE_SLOTS)
		h->slots[slot] += 1;
	h->sum += v;
}

static __always_inline void copy_remote(struct lpm_key *key, const __u8 *addr, __u32 bytes)
{
	key->prefixlen = 128;
	if (bytes == 4) {
		__builtin_memset(key->addr, 0, 10);
		key->addr[10] = 0xff;
		key->addr[11] = 0xff;
		__builtin_memcpy(&key->addr[12], addr, 4);
	} else {
		__builtin_memcpy(key->addr, addr, 16);
	}
}

/*
 * Multicast, broadcast and unspecified addresses (neighbour discovery, DHCP) never leave the link for the
 * internet, whatever internalNetworks says. IPv4 arrives IPv4-mapped: ::ffff:a.b.c.d.
 */
static __always_inline bool link_local_scope(const struct lpm_key *remote)
{
	const __u32 *word = (const __u32 *)remote->addr; /* 4-byte aligned: addr follows a __u32 */

	if (word[0] == 0 && word[1] == 0 && word[2] == bpf_htonl(0x0000ffff))
		return remote->addr[12] >= 224 || remote->addr[12] == 0; /* 224/4, 240/4 with broadcast, 0/8 */
	return remote->addr[0] == 0xff || (word[0] == 0 && word[1] == 0 && word[2] == 0 && word[3] == 0);
}

static __always_inline bool same_remote(const struct lpm_key *a, const struct lpm_key *b)
{
	const __u32 *x = (const __u32 *)a->addr, *y = (const __u32 *)b->addr;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

static __always_inline bool is_internet(const struct lpm_key *remote, struct cpu_cache *cache,
					const struct generations *gen)
{
	__u32 internal;

	if (link_local_scope(remote))
		return false;
	if (cache->remote_generation == gen->internal && same_remote(&cache->remote, remote))
		return !cache->remote_internal;
	internal = bpf_map_lookup_elem(&internal_networks, remote) != NULL;
	cache->remote = *remote;
	cache->remote_generation = gen->internal;
	cache->remote_internal = internal;
	return !internal;
}

/* The namespace's slot (its flow mode then in cache->flow_mode), or -1 when podnet does not count it. */
static __always_inline __s64 slot_of(__u32 netns, struct cpu_cache *cache, const struct generations *gen)
{
	struct netns_slot *slot;

	if (cache->netns == netns && cache->netns_generation == gen->slots)
		return cache->slot;
	slot = bpf_map_lookup_elem(&netns_slots, &netns);
	if (!slot)
		return -1;
	cache->netns = netns;
	cache->netns_generation = gen->slots;
	cache->slot = slot->slot;
	cache->flow_mode = slot->flow_mode;
	return slot->slot;
}

static __always_inline __u32 protocol_index(__u32 ipproto)
{
	switch (ipproto) {
	case IPPROTO_TCP:
		return PROTO_TCP;
	case IPPROTO_UDP:
		return PROTO_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return PROTO_ICMP;
	default:
		return PROTO_OTHER;
	}
}

static __always_inline int parse_ipv4(struct __sk_buff *skb, __u32 offset, int dir, struct direction_stats *d,
				      struct l3_info *info)
{
	struct ipv4_header ip;
	__u32 header_len;
	__u16 frag;

	if (read_header(skb, offset, &ip, sizeof(ip)) < 0)
		return -1;
	info->family = FAMILY_IPV4;
	info->protocol = ip.protocol;
	header_len = (ip.version_ihl & 0x0f) * 4;
	info->ip_length = bpf_ntohs(ip.tot_len);
	if (info->ip_length == 0) /* BIG TCP: the length is the skb's */
		info->ip_length = skb->len - offset;
	info->l4_length = info->ip_length > header_len ? info->ip_length - header_len : 0;
	frag = bpf_ntohs(ip.frag_off);
	if (frag & 0x4000)
		d->ipv4_df += 1;
	/* Only a packet's first fragment carries the transport header. */
	info->l4_offset = (frag & 0x1fff) || header_len < sizeof(ip) ? -1 : (__s32)(offset + header_len);
	copy_remote(&info->remote, dir == DIR_RECEIVE ? ip.saddr : ip.daddr, 4);
	__builtin_memset(info->local, 0, 10);
	info->local[10] = 0xff;
	info->local[11] = 0xff;
	__builtin_memcpy(&info->local[12], dir == DIR_RECEIVE ? ip.daddr : ip.saddr, 4);
	return 0;
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, __u32 offset, int dir, struct l3_info *info)
{
	struct ipv6_header ip;
	__u32 next;
	__u32 header_end = offset + sizeof(ip);
	__u32 payload;

	if (read_header(skb, offset, &ip, sizeof(ip)) < 0)
		return -1;
	info->family = FAMILY_IPV6;
	payload = bpf_ntohs(ip.payload_len);
	info->ip_length = payload ? payload + sizeof(ip) : skb->len - offset; /* 0: jumbogram or BIG TCP */
	next = ip.nexthdr;
	info->l4_offset = -1;
	copy_remote(&info->remote, dir == DIR_RECEIVE ? ip.saddr : ip.daddr, 16);
	__builtin_memcpy(info->local, dir == DIR_RECEIVE ? ip.daddr : ip.saddr, 16);
	for (int i = 0; i < MAX_IPV6_EXTENSIONS; i++) {
		__u8 ext[8];

		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS &&
		    next != IPPROTO_FRAGMENT)
			break;
		if (read_header(skb, header_end, ext, sizeof(ext)) < 0) {
			info->protocol = next;
			return 0;
		}
		if (next == IPPROTO_FRAGMENT) {
			/* fragment offset in bits 3..15 of bytes 2-3: later fragments have no transport header */
			if (((ext[2] << 8) | ext[3]) & 0xfff8) {
				info->protocol = ext[0];
				return 0;
			}
			header_end += 8;
		} else {
			header_end += (ext[1] + 1) * 8;
		}
		next = ext[0];
	}
	info->protocol = next;
	info->l4_offset = header_end;
	info->l4_length = info->ip_length > header_end - offset ? info->ip_length - (header_end - offset) : 0;
	return 0;
}

/* A SYN's TCP options while bpf_loop walks them. */
struct option_walk {
	__u8 bytes[64]; /* 40 at most are options; the rest keeps masked indexes inside the buffer */
	__u32 len;
	__u32 next; /* offset of the next option */
	__u32 shift;
};

/*
 * One option per call. bpf_loop has the verifier check this once, whatever the option list looks like;
 * an unrolled walk over attacker-chosen lengths made it explore every path.
 */
static long next_option(__u64 index, void *ctx)
{
	struct option_walk *w = ctx;
	__u32 i = w->next;
	__u8 kind, len;

	if (i >= w->len || i >= 40)
		return 1;
	kind = w->bytes[i & 63];
	if (kind == 0) /* end of option list */
		return 1;
	if (kind == 1) { /* no-operation */
		w->next = i + 1;
		return 0;
	}
	if (i + 1 >= w->len)
		return 1;
	len = w->bytes[(i + 1) & 63];
	if (len < 2)
		return 1;
	if (kind == 3 && len == 3 && i + 2 < w->len) {
		__u8 shift = w->bytes[(i + 2) & 63];

		w->shift = shift > WSCALE_MAX ? WSCALE_MAX : shift;
		return 1;
	}
	w->next = i + len;
	return 0;
}

/* The window-scale shift of a SYN's options, or WSCALE_NONE. */
static __always_inline __u32 window_scale(struct __sk_buff *skb, __u32 options_offset, __u32 options_len)
{
	struct option_walk w = { .len = options_len, .shift = WSCALE_NONE };

	if (options_len == 0 || options_len > 40)
		return WSCALE_NONE;
	if (bpf_skb_load_bytes(skb, options_offset, w.bytes, options_len) < 0)
		return WSCALE_NONE;
	bpf_loop(40, next_option, &w, 0); /* each option takes a byte at least: 40 calls walk any list */
	return w.shift;
}

/* Returns the sending socket's smoothed RTT in microseconds when the segment told it, else 0. */
static __always_inline __u32 analyse_tcp(struct __sk_buff *skb, int dir, struct traffic_histograms *h,
					 struct direction_stats *d, const struct l3_info *info)
{
	struct tcp_header tcp;
	__u32 header_len;
	__u32 payload;
	__u32 srtt_us;

	if (read_header(skb, info->l4_offset, &tcp, sizeof(tcp)) < 0)
		return 0;
	header_len = (tcp.doff_reserved >> 4) * 4;
	if (header_len < sizeof(tcp))
		return 0;
	if (tcp.flags & TCP_FLAG_RST)
		d->tcp_rst += 1;
	else if (!(tcp.flags & TCP_FLAG_SYN) && tcp.window == 0)
		d->tcp_zero_window += 1;
	if (tcp.flags & TCP_FLAG_SYN) {
		__u32 shift = window_scale(skb, info->l4_offset + sizeof(tcp), header_len - sizeof(tcp));

		d->window_scale[shift & (WSCALE_SLOTS - 1)] += 1;
	}
	payload = info->l4_length > header_len ? info->l4_length - header_len : 0;
	if (h)
		size_observe(&h->tcp_payload[dir], payload);

	if (dir == DIR_TRANSMIT && (payload || (tcp.flags & TCP_FLAG_FIN))) {
		struct bpf_sock *sk = skb->sk;
		struct bpf_tcp_sock *tp;

		if (!sk)
			return 0;
		sk = bpf_sk_fullsock(sk);
		if (!sk)
			return 0;
		tp = bpf_tcp_sock(sk);
		if (!tp || !tp->srtt_us)
			return 0;
		srtt_us = tp->srtt_us >> 3; /* srtt_us holds 8 times the smoothed RTT */
		if (h)
			log2_hist_add(&h->rtt_us, srtt_us);
		return srtt_us;
	}
	return 0;
}

static __always_inline void fold_ports(struct traffic_flow_key *key, __u32 mode)
{
	if (mode != FLOW_SERVICE)
		return;
	if (key->local_port > key->remote_port)
		key->local_port = 0;
	else if (key->remote_port > key->local_port)
		key->remote_port = 0;
}

/*
 * Adds to the flow's entry, inserting it when it is new. Entries are shared by all CPUs: atomic adds.
 * An insert refused because the map is full is counted, never silent.
 */
static __always_inline void flow_add(const struct traffic_flow_key *key, int dir, __u64 len, __u32 srtt_us)
{
	struct traffic_flow *f = bpf_map_lookup_elem(&flows, key);
	__u32 zero = 0;
	__u64 *failures;

	if (!f) {
		struct traffic_flow fresh = {};

		fresh.first_seen_ns = bpf_ktime_get_ns();
		if (bpf_map_update_elem(&flows, key, &fresh, BPF_NOEXIST) != 0) {
			f = bpf_map_lookup_elem(&flows, key); /* another CPU may have inserted it meanwhile */
			if (!f) {
				failures = bpf_map_lookup_elem(&flow_insert_failures, &zero);
				if (failures)
					*failures += 1;
				return;
			}
		} else {
			f = bpf_map_lookup_elem(&flows, key);
			if (!f)
				return;
		}
	}
	__sync_fetch_and_add(&f->bytes[dir & 1], len);
	__sync_fetch_and_add(&f->packets[dir & 1], 1);
	if (srtt_us)
		f->srtt_us = srtt_us;
}

static __always_inline void count_flow(struct __sk_buff *skb, __u32 netns, int dir, __u32 mode,
				       const struct l3_info *info, __u64 len, __u32 srtt_us)
{
	struct traffic_flow_key key = {};
	__be16 ports[2];

	key.netns = netns;
	key.protocol = info->protocol;
	key.family = info->family;
	__builtin_memcpy(key.local, info->local, 16);
	__builtin_memcpy(key.remote, info->remote.addr, 16);
	if ((info->protocol == IPPROTO_TCP || info->protocol == IPPROTO_UDP) && info->l4_offset >= 0 &&
	    read_header(skb, info->l4_offset, ports, sizeof(ports)) == 0) {
		key.local_port = bpf_ntohs(ports[dir == DIR_RECEIVE ? 1 : 0]);
		key.remote_port = bpf_ntohs(ports[dir == DIR_RECEIVE ? 0 : 1]);
	}
	fold_ports(&key, mode);
	flow_add(&key, dir, len, srtt_us);
}

static __always_inline int count(struct __sk_buff *skb, int dir, __u32 l3_offset)
{
	struct sk_buff *kskb = bpf_cast_to_kern_ctx(skb);
	struct direction_stats *d;
	struct traffic_histograms *h;
	struct pod_traffic *t;
	struct l3_info info = {};
	struct cpu_cache *cache;
	struct generations *gen;
	__u32 slot, zero = 0;
	__s64 found;
	__u32 family = FAMILY_OTHER, proto = PROTO_OTHER;
	__u64 len = skb->len;
	__u32 netns = kskb->dev->nd_net.net->ns.inum;
	__u32 srtt_us = 0;
	int parsed = -1;

	cache = bpf_map_lookup_elem(&cpu_caches, &zero);
	gen = bpf_map_lookup_elem(&generations, &zero);
	if (!cache || !gen)
		return TC_PASS_ON;
	found = slot_of(netns, cache, gen);
	if (found < 0)
		return TC_PASS_ON;
	slot = found;
	t = bpf_map_lookup_elem(&traffic, &slot);
	if (!t)
		return TC_PASS_ON;
	d = &t->dir[dir];
	h = bpf_map_lookup_elem(&histograms, per_pod_histograms ? &slot : &zero);

	if (skb->protocol == bpf_htons(ETH_P_IP))
		parsed = parse_ipv4(skb, l3_offset, dir, d, &info);
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		parsed = parse_ipv6(skb, l3_offset, dir, &info);
	if (parsed == 0) {
		family = info.family;
		proto = protocol_index(info.protocol);
		if (h)
			size_observe(&h->packet_size[dir], info.ip_length);
		if (is_internet(&info.remote, cache, gen)) {
			d->internet_bytes[family & 1] += len;
			d->internet_packets[family & 1] += 1;
		}
		if (proto == PROTO_TCP && info.l4_offset >= 0)
			srtt_us = analyse_tcp(skb, dir, h, d, &info);
		if (cache->flow_mode != FLOW_NONE)
			count_flow(skb, netns, dir, cache->flow_mode, &info, len, srtt_us);
	}
	if (family > FAMILY_OTHER)
		family = FAMILY_OTHER;
	d->bytes[family][proto & 3] += len;
	d->packets[family][proto & 3] += 1;
	return TC_PASS_ON;
}

/* Devices with an Ethernet header (veth, macvlan, ipvlan, ...): at tc, data starts at the MAC header. */
SEC("tc")
int traffic_ingress(struct __sk_buff *skb)
{
	return count(skb, DIR_RECEIVE, ETH_HLEN);
}

SEC("tc")
int traffic_egress(struct __sk_buff *skb)
{
	return count(skb, DIR_TRANSMIT, ETH_HLEN);
}

/* Devices without a link-layer header (tun, wireguard, ...): data starts at the IP header. */
SEC("tc")
int traffic_ingress_l3(struct __sk_buff *skb)
{
	return count(skb, DIR_RECEIVE, 0);
}

SEC("tc")
int traffic_egress_l3(struct __sk_buff *skb)
{
	return count(skb, DIR_TRANSMIT, 0);
}

/*
 * Retransmissions and drops of a flow, from its socket: the key the tc programs would give the
 * connection's packets (an IPv6 socket carrying IPv4 uses IPv4-mapped addresses, as the packets are
 * IPv4). Only flows already in the table are counted: these programs never insert.
 */
static __always_inline void add_to_socket_flow(const struct sock *sk, __u64 retransmits, __u64 drops)
{
	struct traffic_flow_key key = {};
	struct netns_slot *slot;
	struct traffic_flow *f;
	__u16 family;
	__u32 netns;

	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return;
	netns = sk_netns(sk);
	slot = bpf_map_lookup_elem(&netns_slots, &netns);
	if (!slot || slot->flow_mode == FLOW_NONE)
		return;
	key.netns = netns;
	key.protocol = IPPROTO_TCP;
	key.local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	key.remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == 2 /* AF_INET */) {
		__be32 local = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__be32 remote = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		key.family = FAMILY_IPV4;
		key.local[10] = key.local[11] = key.remote[10] = key.remote[11] = 0xff;
		__builtin_memcpy(&key.local[12], &local, 4);
		__builtin_memcpy(&key.remote[12], &remote, 4);
	} else if (family == 10 /* AF_INET6 */) {
		BPF_CORE_READ_INTO(&key.local, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&key.remote, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		key.family = key.remote[10] == 0xff && key.remote[11] == 0xff && key.remote[0] == 0 ? FAMILY_IPV4
												     : FAMILY_IPV6;
	} else {
		return;
	}
	fold_ports(&key, slot->flow_mode);
	f = bpf_map_lookup_elem(&flows, &key);
	if (!f)
		return;
	if (retransmits)
		__sync_fetch_and_add(&f->retransmits, retransmits);
	if (drops)
		__sync_fetch_and_add(&f->drops, drops);
}

/* tcp:tcp_retransmit_skb(sk, skb) on older kernels, (sk, skb, err) on newer ones: user space picks. */
SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(flow_retransmit, const struct sock *sk, const struct sk_buff *skb)
{
	add_to_socket_flow(sk, tcp_skb_segments(skb), 0);
	return 0;
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(flow_retransmit_err, const struct sock *sk, const struct sk_buff *skb, int err)
{
	if (err == 0)
		add_to_socket_flow(sk, tcp_skb_segments(skb), 0);
	return 0;
}

/*
 * skb:kfree_skb: a dropped packet of a TCP socket (the skb's, or from Linux 6.11 the receiving socket
 * the kernel names) counts for that socket's flow. Normal frees are not drops.
 */
static __always_inline void flow_drop(const struct sk_buff *skb, unsigned int reason, const struct sock *rx_sk)
{
	const struct sock *sk;

	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED))
		return;
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_NOT_DROPPED_YET) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_NOT_DROPPED_YET))
		return;
	sk = rx_sk ? rx_sk : BPF_CORE_READ(skb, sk);
	add_to_socket_flow(sk, 0, 1);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(flow_kfree_skb, struct sk_buff *skb, void *location, unsigned int reason)
{
	flow_drop(skb, reason, NULL);
	return 0;
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(flow_kfree_skb_rx_sk, struct sk_buff *skb, void *location, unsigned int reason, struct sock *rx_sk)
{
	flow_drop(skb, reason, rx_sk);
	return 0;
}
