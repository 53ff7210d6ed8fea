// SPDX-License-Identifier: GPL-2.0
/* Packets the kernel dropped, per network namespace and drop reason (skb:kfree_skb). */
#include "podnet.h"

char LICENSE[] SEC("license") = "GPL";

PODNET_COUNTER_MAP(drops, 16384); /* map index 0; label: enum skb_drop_reason value */

/*
 * kfree_skb(skb, location, reason[, rx_sk]): since 6.0 normal frees go to consume_skb instead, but
 * SKB_CONSUMED and SKB_NOT_DROPPED_YET are still skipped here in case a kernel reports them: they are
 * not drops. Their values come from the running kernel's BTF (CO-RE), like the reason names in user
 * space.
 */
SEC("raw_tp/kfree_skb")
int BPF_PROG(on_kfree_skb, struct sk_buff *skb, void *location, unsigned int reason)
{
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED))
		return 0;
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_NOT_DROPPED_YET) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_NOT_DROPPED_YET))
		return 0;
	counter_add(&drops, 0, skb_netns(skb), reason, 1);
	return 0;
}
