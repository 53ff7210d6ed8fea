/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events from podnet's BPF programs: one record per anomaly (a reset, a drop, a slow softirq) through one
 * BPF ring buffer per object, read by dev.podnet.probe.bpf.KernelEventReader.
 *
 * Bounded three ways:
 * - the ring buffer has a fixed size (EVENT_RING_BYTES); a record that does not fit is not written and is
 *   counted in this CPU's lost_full;
 * - at most event_config.per_cpu_per_second records per CPU and second go out (a flood of resets or drops
 *   must not keep the reader busy); the rest are counted in lost_rate;
 * - user space sets event_config.kinds before loading, from the event types the config wants: with none
 *   the verifier sees a constant 0 and removes every event path, so a probe without events costs what it
 *   cost before (and its ring buffer is shrunk to one page).
 * User space reports both counts as lost events (EventEmitter.lost) and as podnet_bpf_events_lost_total.
 */
#ifndef PODNET_EVENTS_H
#define PODNET_EVENTS_H

#include "podnet.h"
#include <bpf/bpf_endian.h>

#define EVENT_RING_BYTES (256 * 1024)
#define NS_PER_SECOND 1000000000ULL

#define AF_INET 2
#define AF_INET6 10
#define IP_OFFSET_MASK 0x1fff /* the fragment offset of iphdr.frag_off, host order */
#define NO_HEADER ((__u16)~0U) /* skb->network_header / transport_header not set */

/* The object's event settings (section .rodata.events, written by KernelEventConfig.java before loading). */
struct event_config {
	__u32 kinds;               /* bit i: the probe's event kind i is wanted */
	__u32 per_cpu_per_second;  /* 0: no limit */
	__u64 threshold_ns;        /* latency probes: slower than this is an event */
};

const volatile struct event_config event_config SEC(".rodata.events") = {};

/* One event; decoded by KernelEventRecord.java (keep the two in step). */
struct podnet_event {
	__u32 kind;     /* the probe's event kind: its bit in event_config.kinds */
	__u32 netns;    /* inode; 0 when node-wide or not known */
	__u64 value;    /* latency in ns (latency probes), location (packetloss) */
	__u32 reason;   /* drop reason, reset reason, errno, softirq type: as the probe says */
	__u32 cpu;
	__u32 ifindex;
	__u8 family;    /* AF_INET, AF_INET6; 0: no addresses */
	__u8 protocol;  /* IPPROTO_*; 0: not known */
	__u8 state;     /* TCP state; 0: none */
	__u8 phase;     /* latency probes: which phase */
	__u16 sport;    /* host order; 0: none */
	__u16 dport;
	__u8 saddr[16]; /* network order; IPv4 in the first 4 bytes */
	__u8 daddr[16];
	char device[16];
};
_Static_assert(sizeof(struct podnet_event) == 88 && __builtin_offsetof(struct podnet_event, saddr) == 36 &&
	       __builtin_offsetof(struct podnet_event, device) == 68, "KernelEventRecord.java decodes this layout");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENT_RING_BYTES);
} events SEC(".maps");

/* This CPU's event bookkeeping: the rate window, and what was lost. */
struct event_cpu {
	__u64 window_start_ns;
	__u64 in_window;
	__u64 lost_full; /* the ring buffer had no room */
	__u64 lost_rate; /* over per_cpu_per_second */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event_cpu);
} event_cpus SEC(".maps");

/* Whether kind is wanted at all: a constant for the verifier, so unwanted paths are removed. */
static __always_inline bool event_wanted(__u32 kind)
{
	return event_config.kinds & (1U << kind);
}

/*
 * A zeroed record of kind for this CPU, or NULL (not wanted, over the rate, buffer full: the last two
 * counted). The caller fills it and calls bpf_ringbuf_submit. Another program of the object may
 * interrupt this one on the same CPU (a hard interrupt during a softirq program): then one count may be
 * lost, never a record.
 */
static __always_inline struct podnet_event *event_reserve(__u32 kind)
{
	struct event_cpu *cpu;
	struct podnet_event *e;
	__u32 zero = 0;

	if (!event_wanted(kind))
		return NULL;
	cpu = bpf_map_lookup_elem(&event_cpus, &zero);
	if (!cpu)
		return NULL;
	if (event_config.per_cpu_per_second) {
		__u64 now = bpf_ktime_get_ns();

		if (now - cpu->window_start_ns >= NS_PER_SECOND) {
			cpu->window_start_ns = now;
			cpu->in_window = 0;
		}
		if (cpu->in_window >= event_config.per_cpu_per_second) {
			cpu->lost_rate += 1;
			return NULL;
		}
		cpu->in_window += 1;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		cpu->lost_full += 1;
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->cpu = bpf_get_smp_processor_id();
	return e;
}

/*
 * The addresses and ports of a socket, local first. A full socket's local port is read from inet_sport:
 * closing unhashes the socket and releases an ephemeral port (inet_num = 0) before the state change and
 * the active reset the tracepoints report. Time-wait and request sockets are no struct inet_sock; their
 * port is in sock_common.
 */
static __always_inline void event_tuple_of_sock(struct podnet_event *e, const struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u8 state = BPF_CORE_READ(sk, __sk_common.skc_state);

	e->protocol = IPPROTO_TCP;
	if (state == TCP_TIME_WAIT || state == TCP_NEW_SYN_RECV)
		e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	else
		e->sport = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
	e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		e->family = AF_INET;
		BPF_CORE_READ_INTO((__u32 *)e->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e->daddr, sk, __sk_common.skc_daddr);
	} else if (family == AF_INET6) {
		e->family = AF_INET6;
		BPF_CORE_READ_INTO((struct in6_addr *)e->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)e->daddr, sk, __sk_common.skc_v6_daddr);
	}
}

/*
 * The addresses, protocol and (TCP, UDP) ports of a packet, from its IP header, in the packet's own
 * order: source first. Only what lies in the skb's linear data is read; a packet without an IP header
 * (ARP, a frame before its network header is set) leaves the tuple empty. false then.
 */
static __always_inline bool event_tuple_of_skb(struct podnet_event *e, const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 network = BPF_CORE_READ(skb, network_header);
	__u32 tail = BPF_CORE_READ(skb, tail); /* an offset from head on 64-bit kernels */
	__u32 transport;
	__u8 version;

	if (!head || network == NO_HEADER || network + sizeof(struct iphdr) > tail)
		return false;
	if (bpf_probe_read_kernel(&version, 1, head + network))
		return false;
	version >>= 4;
	if (version == 4) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + network))
			return false;
		e->family = AF_INET;
		e->protocol = ip.protocol;
		__builtin_memcpy(e->saddr, &ip.saddr, 4);
		__builtin_memcpy(e->daddr, &ip.daddr, 4);
		if (bpf_ntohs(ip.frag_off) & IP_OFFSET_MASK)
			return true; /* a later fragment: no ports in it */
		transport = network + ip.ihl * 4;
	} else if (version == 6) {
		struct ipv6hdr ip6;

		if (network + sizeof(ip6) > tail || bpf_probe_read_kernel(&ip6, sizeof(ip6), head + network))
			return false;
		e->family = AF_INET6;
		e->protocol = ip6.nexthdr; /* extension headers are not followed: then no ports */
		__builtin_memcpy(e->saddr, &ip6.saddr, 16);
		__builtin_memcpy(e->daddr, &ip6.daddr, 16);
		transport = network + sizeof(ip6);
	} else {
		return false;
	}
	if (e->protocol == IPPROTO_TCP || e->protocol == IPPROTO_UDP) {
		__be16 ports[2];

		if (transport + sizeof(ports) <= tail && !bpf_probe_read_kernel(ports, sizeof(ports), head + transport)) {
			e->sport = bpf_ntohs(ports[0]);
			e->dport = bpf_ntohs(ports[1]);
		}
	}
	return true;
}

/* Swaps source and destination: a packet's tuple seen from its receiver (local first). */
static __always_inline void event_tuple_reverse(struct podnet_event *e)
{
	__u8 address[16];
	__u16 port = e->sport;

	e->sport = e->dport;
	e->dport = port;
	__builtin_memcpy(address, e->saddr, 16);
	__builtin_memcpy(e->saddr, e->daddr, 16);
	__builtin_memcpy(e->daddr, address, 16);
}

#endif
