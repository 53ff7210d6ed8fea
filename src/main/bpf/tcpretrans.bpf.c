// SPDX-License-Identifier: GPL-2.0
/* TCP retransmissions per network namespace and socket state (tcp:tcp_retransmit_skb). */
#include "podnet.h"

char LICENSE[] SEC("license") = "GPL";

PODNET_COUNTER_MAP(retransmits, 16384); /* map index 0; label: TCP state; value: segments */

static __always_inline void count(const struct sock *sk, const struct sk_buff *skb)
{
	if (sk)
		counter_add(&retransmits, 0, sk_netns(sk), sk_state(sk), tcp_skb_segments(skb));
}

/*
 * Raw tracepoint: the arguments are the TP_PROTO's (sk, skb, ...). Which of the two programs is
 * attached depends on the kernel: a raw tracepoint program may only read arguments the tracepoint has.
 */
SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(on_tcp_retransmit_skb, const struct sock *sk, const struct sk_buff *skb)
{
	count(sk, skb);
	return 0;
}

/*
 * Newer kernels also fire the tracepoint for attempts that failed (the skb still queued in the host,
 * no memory), with the error as third argument; only the ones that went out are retransmissions, the
 * same ones the namespace's RetransSegs counts.
 */
SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(on_tcp_retransmit_skb_err, const struct sock *sk, const struct sk_buff *skb, int err)
{
	if (err == 0)
		count(sk, skb);
	return 0;
}
