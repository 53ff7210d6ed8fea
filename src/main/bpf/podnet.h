/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by podnet's BPF programs: in-kernel aggregation keyed by network namespace.
 *
 * Every aggregate map is keyed by struct netns_key (the namespace's inode plus one small label, for
 * instance a TCP state or a drop reason), so user space reads all of them with one decoder
 * (dev.podnet.probe.bpf.NetnsAggregates). Maps are hashes without preallocation: memory follows the
 * keys really seen, and max_entries bounds it. An insert that finds the map full is counted in
 * insert_failures under the map's index, so a full map shows as a number, never as silent loss.
 */
#ifndef PODNET_H
#define PODNET_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct netns_key {
	__u32 netns; /* inode of the network namespace; 0 when it could not be told */
	__u32 label;
};

/*
 * A log2 histogram: slot 0 counts value 0, slot i counts values in [2^(i-1), 2^i), the last slot
 * everything larger. In user space slot i has upper bound 2^i units and the last slot is +Inf.
 */
#define PODNET_HIST_SLOTS 32 /* a power of two: see histogram_observe */
struct log2_hist {
	__u64 slots[PODNET_HIST_SLOTS];
	__u64 sum;
};

#define PODNET_MAX_MAPS 8

/* Per-CPU counters keyed by (netns, label). */
#define PODNET_COUNTER_MAP(name, entries)                                  \
	struct {                                                           \
		__uint(type, BPF_MAP_TYPE_PERCPU_HASH);                    \
		__uint(max_entries, entries);                              \
		__uint(map_flags, BPF_F_NO_PREALLOC);                      \
		__type(key, struct netns_key);                             \
		__type(value, __u64);                                      \
	} name SEC(".maps")

/* Per-CPU log2 histograms keyed by (netns, label). */
#define PODNET_HISTOGRAM_MAP(name, entries)                                \
	struct {                                                           \
		__uint(type, BPF_MAP_TYPE_PERCPU_HASH);                    \
		__uint(max_entries, entries);                              \
		__uint(map_flags, BPF_F_NO_PREALLOC);                      \
		__type(key, struct netns_key);                             \
		__type(value, struct log2_hist);                           \
	} name SEC(".maps")

/* Inserts refused because a map was full, by map index (the order the probe declares its maps). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PODNET_MAX_MAPS);
	__type(key, __u32);
	__type(value, __u64);
} insert_failures SEC(".maps");

static __always_inline void note_insert_failure(__u32 map_index)
{
	__u64 *failures = bpf_map_lookup_elem(&insert_failures, &map_index);

	if (failures)
		*failures += 1;
}

/*
 * Adds n to the per-CPU counter of (netns, label). Plain += is safe on a per-CPU value: the kernel
 * never runs the same program nested on one CPU (a nested hit is counted as a miss instead).
 */
static __always_inline void counter_add(void *map, __u32 map_index, __u32 netns, __u32 label, __u64 n)
{
	struct netns_key key = { .netns = netns, .label = label };
	__u64 *value = bpf_map_lookup_elem(map, &key);

	if (value) {
		*value += n;
		return;
	}
	if (bpf_map_update_elem(map, &key, &n, BPF_NOEXIST) == 0)
		return;
	/* Another CPU may have inserted the key meanwhile: then this CPU's slot exists now. */
	value = bpf_map_lookup_elem(map, &key);
	if (value)
		*value += n;
	else
		note_insert_failure(map_index);
}

/* Number of significant bits of v: 0 for 0, 1 for 1, 2 for 2..3, 3 for 4..7 ... */
static __always_inline __u32 bit_length(__u64 v)
{
	__u32 n = 0;

	if (v >> 32) { v >>= 32; n += 32; }
	if (v >> 16) { v >>= 16; n += 16; }
	if (v >> 8) { v >>= 8; n += 8; }
	if (v >> 4) { v >>= 4; n += 4; }
	if (v >> 2) { v >>= 2; n += 2; }
	if (v >> 1) { v >>= 1; n += 1; }
	return n + (__u32)v;
}

/* Adds one observation to a histogram the caller already holds (a per-CPU array slot, for instance). */
static __always_inline void log2_hist_add(struct log2_hist *hist, __u64 value)
{
	__u32 slot = bit_length(value);

	if (slot > PODNET_HIST_SLOTS - 1)
		slot = PODNET_HIST_SLOTS - 1;
	/*
	 * A no-op for the value, but clang may test a copy of slot above and index with the original, and
	 * the verifier then sees an unbounded index. The barrier keeps clang from dropping the mask as
	 * redundant, and the mask bounds the register actually used.
	 */
	barrier_var(slot);
	slot &= PODNET_HIST_SLOTS - 1;
	hist->slots[slot] += 1;
	hist->sum += value;
}

/* Records one observation of value (in the histogram's unit) for (netns, label). */
static __always_inline void histogram_observe(void *map, __u32 map_index, __u32 netns, __u32 label, __u64 value)
{
	struct netns_key key = { .netns = netns, .label = label };
	struct log2_hist *hist = bpf_map_lookup_elem(map, &key);

	if (!hist) {
		struct log2_hist zero = {};

		bpf_map_update_elem(map, &key, &zero, BPF_NOEXIST);
		hist = bpf_map_lookup_elem(map, &key);
		if (!hist) {
			note_insert_failure(map_index);
			return;
		}
	}
	log2_hist_add(hist, value);
}

static __always_inline __u32 net_inode(const struct net *net)
{
	return net ? BPF_CORE_READ(net, ns.inum) : 0;
}

/* Works for full, request and time-wait sockets alike: all start with struct sock_common. */
static __always_inline __u32 sk_netns(const struct sock *sk)
{
	return sk ? net_inode(BPF_CORE_READ(sk, __sk_common.skc_net.net)) : 0;
}

static __always_inline __u32 dev_netns(const struct net_device *dev)
{
	return dev ? net_inode(BPF_CORE_READ(dev, nd_net.net)) : 0;
}

/*
 * The namespace a packet is in: its device's (where the kernel handles it now), else its socket's
 * (locally generated packets before routing have no device yet).
 */
static __always_inline __u32 skb_netns(const struct sk_buff *skb)
{
	__u32 netns;

	if (!skb)
		return 0;
	netns = dev_netns(BPF_CORE_READ(skb, dev));
	return netns ? netns : sk_netns(BPF_CORE_READ(skb, sk));
}

/*
 * Segments in a TCP skb (tcp_skb_pcount: a TSO skb carries several), the amount the kernel adds to the
 * namespace's RetransSegs when it retransmits it. TCP keeps it in the skb's control buffer (struct
 * tcp_skb_cb in skb->cb).
 */
static __always_inline __u64 tcp_skb_segments(const struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb;
	__u16 segs;

	if (!skb)
		return 1;
	cb = (const void *)skb + bpf_core_field_offset(struct sk_buff, cb);
	segs = BPF_CORE_READ(cb, tcp_gso_segs);
	return segs ? segs : 1;
}

static __always_inline __u32 sk_state(const struct sock *sk)
{
	return sk ? BPF_CORE_READ(sk, __sk_common.skc_state) : 0;
}

#endif
