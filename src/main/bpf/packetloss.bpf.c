// SPDX-License-Identifier: GPL-2.0
/*
 * Packets the kernel dropped, per network namespace and drop reason (skb:kfree_skb); and, when the config
 * wants them, one event per drop of a reason user space selected (events.h).
 */
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

/* Event kinds (bits of event_config.kinds), as PacketLossProbe.java names them. */
#define KIND_PACKET_DROP 0

PODNET_COUNTER_MAP(drops, 16384); /* map index 0; label: enum skb_drop_reason value */

/*
 * The drop reasons that make an event, by slot (reason_slot): 1 selected. User space sets it from
 * probeSettings.packetloss.eventReasons before loading (and may rewrite it later); reasons left at 0
 * (routine ones, by default) are counted and never reach the ring buffer. Global data, not a map lookup:
 * the test is one load.
 */
#define REASON_SLOTS 1024
#define SUBSYSTEM_SLOTS 64
/* The last byte: 1 when packets to multicast and broadcast addresses make events too. */
#define MULTICAST_SLOT (REASON_SLOTS + SUBSYSTEM_SLOTS)
__u8 event_reasons[MULTICAST_SLOT + 1] SEC(".data.reasons");

/* The core enum's reasons have their own slot; a subsystem's (upper 16 bits) share their subsystem's. */
static __always_inline __u32 reason_slot(__u32 reason)
{
	if (reason < REASON_SLOTS)
		return reason;
	return REASON_SLOTS + ((reason >> 16) & (SUBSYSTEM_SLOTS - 1));
}

/*
 * Whether the packet goes to a multicast or broadcast address: a drop of such a packet is mostly one
 * nobody asked for (a group no socket joined, MLD and neighbour discovery while a device comes up), so
 * by default these make no events (probeSettings.packetloss.eventMulticast).
 */
static __always_inline bool to_group(const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 network = BPF_CORE_READ(skb, network_header);
	__u8 version, first;
	__u32 daddr;

	if (!head || network == NO_HEADER || bpf_probe_read_kernel(&version, 1, head + network))
		return false;
	if (version >> 4 == 4) {
		if (bpf_probe_read_kernel(&daddr, 4, head + network + offsetof(struct iphdr, daddr)))
			return false;
		return (bpf_ntohl(daddr) >> 28) == 0xe || daddr == 0xffffffff;
	}
	if (version >> 4 == 6) {
		if (bpf_probe_read_kernel(&first, 1, head + network + offsetof(struct ipv6hdr, daddr)))
			return false;
		return first == 0xff;
	}
	return false;
}

/*
 * The event: the packet's tuple in its own direction (saddr/sport its source), the device it was on, and
 * where the kernel dropped it (the return address kfree_skb saw, symbolized in user space).
 */
static __always_inline void drop_event(const struct sk_buff *skb, void *location, __u32 reason, __u32 netns)
{
	__u32 slot = reason_slot(reason);
	struct net_device *dev;
	struct podnet_event *e;

	barrier_var(slot); /* keeps the bound below on the register used as index */
	if (slot >= REASON_SLOTS + SUBSYSTEM_SLOTS || !event_reasons[slot])
		return;
	if (!event_reasons[MULTICAST_SLOT] && to_group(skb))
		return;
	e = event_reserve(KIND_PACKET_DROP);
	if (!e)
		return;
	e->netns = netns;
	e->reason = reason;
	e->value = (__u64)location;
	dev = BPF_CORE_READ(skb, dev);
	if (dev) {
		e->ifindex = BPF_CORE_READ(dev, ifindex);
		bpf_probe_read_kernel_str(e->device, sizeof(e->device), &dev->name);
	}
	event_tuple_of_skb(e, skb);
	bpf_ringbuf_submit(e, 0);
}

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
static __always_inline void count(const struct sk_buff *skb, void *location, unsigned int reason,
				  const struct sock *rx_sk)
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
	if (event_wanted(KIND_PACKET_DROP) && skb)
		drop_event(skb, location, reason, netns);
}

/*
 * Raw tracepoint: the arguments are the TP_PROTO's. Which of the two programs is attached depends on
 * the kernel: a raw tracepoint program may only read arguments the tracepoint has, and
 * kfree_skb(skb, location, reason) gained rx_sk as a fourth in Linux 6.11.
 */
SEC("raw_tp/kfree_skb")
int BPF_PROG(on_kfree_skb, struct sk_buff *skb, void *location, unsigned int reason)
{
	count(skb, location, reason, NULL);
	return 0;
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(on_kfree_skb_rx_sk, struct sk_buff *skb, void *location, unsigned int reason, struct sock *rx_sk)
{
	count(skb, location, reason, rx_sk);
	return 0;
}
