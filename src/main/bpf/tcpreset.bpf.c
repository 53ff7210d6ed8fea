// SPDX-License-Identifier: GPL-2.0
/* TCP resets sent and received per network namespace and socket state. */
#include "podnet.h"

char LICENSE[] SEC("license") = "GPL";

#define DIRECTION_SENT 0
#define DIRECTION_RECEIVED 1

PODNET_COUNTER_MAP(resets, 16384); /* map index 0; label: direction << 8 | TCP state (0: no socket) */

/*
 * tcp:tcp_send_reset(sk, skb, ...): sk is NULL when the reset answers a packet that matched no socket
 * (a closed port); the namespace is then the one the offending packet arrived in.
 */
SEC("raw_tp/tcp_send_reset")
int BPF_PROG(on_tcp_send_reset, const struct sock *sk, const struct sk_buff *skb)
{
	__u32 netns = sk ? sk_netns(sk) : skb_netns(skb);

	counter_add(&resets, 0, netns, DIRECTION_SENT << 8 | sk_state(sk), 1);
	return 0;
}

SEC("raw_tp/tcp_receive_reset")
int BPF_PROG(on_tcp_receive_reset, const struct sock *sk)
{
	if (sk)
		counter_add(&resets, 0, sk_netns(sk), DIRECTION_RECEIVED << 8 | sk_state(sk), 1);
	return 0;
}
