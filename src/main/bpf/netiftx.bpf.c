// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit latency per network namespace (net:net_dev_queue, net:net_dev_start_xmit, net:net_dev_xmit):
 *   qdisc: from the packet entering the device's transmit path (dev_queue_xmit) to the driver being
 *          handed it: queueing discipline wait, segmentation and checksum work, requeues under TX busy;
 *   xmit:  the driver's ndo_start_xmit call itself.
 * The namespace is the transmitting device's (dev->nd_net), so a pod's series describe its own eth0.
 *
 * Per packet this costs one LRU insert, one lookup and one delete (qdisc phase) plus two histogram
 * lookups; the xmit phase needs no map of its own: the driver call begins and ends on one CPU with
 * bottom halves off, so a small per-CPU stack suffices (a stack, because stacked devices - bridges,
 * VLANs, tunnels - transmit on their lower device from inside their own ndo_start_xmit).
 */
#include "latency.h"

char LICENSE[] SEC("license") = "GPL";

#define PHASE_QDISC 0
#define PHASE_XMIT 1
/* The kernel's XMIT_RECURSION_LIMIT: deeper nesting is refused by the kernel itself. */
#define MAX_XMIT_NESTING 8

PODNET_HISTOGRAM_MAP(tx_latency, 16384); /* map index 0; label: phase; unit: nanoseconds */

/*
 * Packets between dev_queue_xmit and the driver, by skb address: the time they were queued. LRU, so
 * packets that never reach a driver (dropped by the qdisc, consumed by a virtual device) are evicted
 * instead of filling the map. The address is only a key, never dereferenced.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} queued_skbs SEC(".maps");

struct xmit_frame {
	__u64 started_ns;
	__u64 dev;
	__u32 netns;
	__u32 pad;
};

struct xmit_stack {
	__u32 depth;
	__u32 pad;
	struct xmit_frame frames[MAX_XMIT_NESTING];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xmit_stack);
} xmit_stacks SEC(".maps");

SEC("raw_tp/net_dev_queue")
int BPF_PROG(on_net_dev_queue, struct sk_buff *skb)
{
	__u64 address = (__u64)skb;
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&queued_skbs, &address, &now, BPF_ANY);
	return 0;
}

SEC("raw_tp/net_dev_start_xmit")
int BPF_PROG(on_net_dev_start_xmit, const struct sk_buff *skb, const struct net_device *dev)
{
	__u64 address = (__u64)skb;
	__u64 now = bpf_ktime_get_ns();
	__u32 netns = dev_netns(dev);
	__u32 zero = 0, depth;
	struct xmit_stack *stack;
	__u64 *queued = bpf_map_lookup_elem(&queued_skbs, &address);

	if (queued) {
		__u64 waited = elapsed_ns(*queued, now);

		bpf_map_delete_elem(&queued_skbs, &address);
		if (waited)
			histogram_observe(&tx_latency, 0, netns, PHASE_QDISC, waited);
	}
	stack = bpf_map_lookup_elem(&xmit_stacks, &zero);
	if (!stack)
		return 0;
	depth = stack->depth;
	/* Deeper than the kernel allows: an end was missed (probe attached mid-call); start afresh. */
	if (depth >= MAX_XMIT_NESTING)
		depth = 0;
	stack->frames[depth].started_ns = now;
	stack->frames[depth].dev = (__u64)dev;
	stack->frames[depth].netns = netns;
	stack->depth = depth + 1;
	return 0;
}

SEC("raw_tp/net_dev_xmit")
int BPF_PROG(on_net_dev_xmit, struct sk_buff *skb, int rc, struct net_device *dev, unsigned int len)
{
	__u32 zero = 0, depth;
	struct xmit_stack *stack = bpf_map_lookup_elem(&xmit_stacks, &zero);
	struct xmit_frame *frame;
	__u64 ran;

	if (!stack || stack->depth == 0)
		return 0;
	depth = stack->depth - 1;
	if (depth >= MAX_XMIT_NESTING) {
		stack->depth = 0;
		return 0;
	}
	stack->depth = depth;
	frame = &stack->frames[depth];
	/* Not the call we saw begin: our bookkeeping is off; drop it rather than pair the wrong ends. */
	if (frame->dev != (__u64)dev) {
		stack->depth = 0;
		return 0;
	}
	ran = elapsed_ns(frame->started_ns, bpf_ktime_get_ns());
	if (ran)
		histogram_observe(&tx_latency, 0, frame->netns, PHASE_XMIT, ran);
	return 0;
}
