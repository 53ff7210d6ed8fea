// SPDX-License-Identifier: GPL-2.0
/* Packets the kernel dropped, per network namespace and drop reason (skb:kfree_skb). */
#include "podnet.h"

char LICENSE[] SEC("license") = "GPL";

PODNET_COUNTER_MAP(drops, 16384); /* map index 0; label: enum skb_drop_reason value */

/*
 * Since 6.0 normal frees go to consume_skb instead, but SKB_CONSUMED and SKB_NOT_DROPPED_YET are still
 * skipped here in case a kernel reports them: they are not drops. Their values come from the running
 * kernel's BTF (CO-RE), like the reason names in user space.
 *
 * The namespace is the skb's (its device's, else its socket's), else that of the receiving socket the
 * kernel names (rx_sk): TCP's receive path drops segments (old data, out of window, ...) after the
 * device is no longer on the skb and before the skb is owned by the socket, so only rx_sk tells whose
 * they are. 0 (node-wide) when none of them is known.
 */
static __always_inline void count(const struct sk_buff *skb, unsigned int reason, const struct sock *rx_sk)
{
	__u32 netns;

	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED))
		return;
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_NOT_DROPPED_YET) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_NOT_DROPPED_YET))
		return;
	netns = skb_netns(skb);
	if (!netns)
		netns = sk_netns(rx_sk);
	counter_add(&drops, 0, netns, reason, 1);
}

/*
 * Raw tracepoint: the arguments are the TP_PROTO's. Which of the two programs is attached depends on
 * the kernel: a raw tracepoint program may only read arguments the tracepoint has, and
 * kfree_skb(skb, location, reason) gained rx_sk as a fourth in Linux 6.11.
 */
SEC("raw_tp/kfree_skb")
int BPF_PROG(on_kfree_skb, struct sk_buff *skb, void *location, unsigned int reason)
{
	count(skb, reason, NULL);
	return 0;
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(on_kfree_skb_rx_sk, struct sk_buff *skb, void *location, unsigned int reason, struct sock *rx_sk)
{
	count(skb, reason, rx_sk);
	return 0;
}
