// SPDX-License-Identifier: GPL-2.0
/* A stand-in for a CNI's own tc program in tests: drops every IPv4 ICMP packet, passes the rest. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tc")
int drop_icmp(struct __sk_buff *skb)
{
	__u8 protocol;

	if (skb->protocol != bpf_htons(0x0800))
		return -1;
	if (bpf_skb_load_bytes(skb, 14 + 9, &protocol, 1) < 0)
		return -1;
	return protocol == 1 ? 2 /* TC_ACT_SHOT */ : -1;
}
