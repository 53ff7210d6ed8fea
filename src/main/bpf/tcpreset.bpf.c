// SPDX-License-Identifier: GPL-2.0
/*
 * TCP resets sent and received per network namespace and socket state, and one event per reset when the
 * config wants them (events.h).
 */
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define DIRECTION_SENT 0
#define DIRECTION_RECEIVED 1

/* Event kinds (bits of event_config.kinds), as TcpResetProbe.java names them. */
#define KIND_NO_SOCKET 0
#define KIND_ACTIVE 1
#define KIND_RECEIVED 2

/* event.reason when the kernel's tracepoint passes none (before Linux 6.10). */
#define REASON_UNKNOWN 0xffffffff
/* event.phase of a sent reset: answering a segment (the tuple is that segment's, reversed), or aborting. */
#define SENT_IN_REPLY 0
#define SENT_ABORT 1

PODNET_COUNTER_MAP(resets, 16384); /* map index 0; label: direction << 8 | TCP state (0: no socket) */

/*
 * tcp:tcp_send_reset(sk, skb[, reason]): sk is NULL when the reset answers a packet that matched no socket
 * (a closed port); the namespace is then the one the offending packet arrived in. skb is that packet, or
 * NULL when a socket aborts its connection (tcp_send_active_reset: closed with unread data, SO_LINGER 0,
 * out of memory, keepalive or user timeout).
 *
 * The event's tuple is from the namespace's own side: saddr/sport are the local end (the reset's sender),
 * daddr/dport the peer the reset goes to.
 */
static __always_inline void reset_sent(const struct sock *sk, const struct sk_buff *skb, __u32 reason)
{
	__u32 netns = sk ? sk_netns(sk) : skb_netns(skb);
	__u32 kind = sk ? KIND_ACTIVE : KIND_NO_SOCKET;
	struct podnet_event *e;

	counter_add(&resets, 0, netns, DIRECTION_SENT << 8 | sk_state(sk), 1);
	if (!event_wanted(kind) || (!sk && !skb))
		return;
	e = event_reserve(kind);
	if (!e)
		return;
	e->netns = netns;
	e->reason = reason;
	e->state = sk_state(sk);
	if (skb) {
		e->phase = SENT_IN_REPLY;
		event_tuple_of_skb(e, skb);
		event_tuple_reverse(e);
	} else {
		e->phase = SENT_ABORT;
		event_tuple_of_sock(e, sk);
	}
	bpf_ringbuf_submit(e, 0);
}

/*
 * Raw tracepoint: the arguments are the TP_PROTO's. Which of the two programs is attached depends on the
 * kernel: a raw tracepoint program may only read arguments the tracepoint has, and tcp_send_reset gained
 * its reason (enum sk_rst_reason) in Linux 6.10.
 */
SEC("raw_tp/tcp_send_reset")
int BPF_PROG(on_tcp_send_reset, const struct sock *sk, const struct sk_buff *skb)
{
	reset_sent(sk, skb, REASON_UNKNOWN);
	return 0;
}

SEC("raw_tp/tcp_send_reset")
int BPF_PROG(on_tcp_send_reset_reason, const struct sock *sk, const struct sk_buff *skb, int reason)
{
	reset_sent(sk, skb, (__u32)reason);
	return 0;
}

SEC("raw_tp/tcp_receive_reset")
int BPF_PROG(on_tcp_receive_reset, const struct sock *sk)
{
	struct podnet_event *e;
	__u32 netns;

	if (!sk)
		return 0;
	netns = sk_netns(sk);
	counter_add(&resets, 0, netns, DIRECTION_RECEIVED << 8 | sk_state(sk), 1);
	if (!event_wanted(KIND_RECEIVED))
		return 0;
	e = event_reserve(KIND_RECEIVED);
	if (!e)
		return 0;
	e->netns = netns;
	e->state = sk_state(sk);
	event_tuple_of_sock(e, sk);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
