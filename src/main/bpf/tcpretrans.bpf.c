// SPDX-License-Identifier: GPL-2.0
/* TCP retransmissions per network namespace and socket state (tcp:tcp_retransmit_skb). */
#include "podnet.h"

char LICENSE[] SEC("license") = "GPL";

PODNET_COUNTER_MAP(retransmits, 16384); /* map index 0; label: TCP state */

/* Raw tracepoint: arguments are the TP_PROTO's (sk, skb, ...), stable since the tracepoint exists. */
SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(on_tcp_retransmit_skb, const struct sock *sk, const struct sk_buff *skb)
{
	if (sk)
		counter_add(&retransmits, 0, sk_netns(sk), sk_state(sk), 1);
	return 0;
}
