// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit latency per network namespace (net:net_dev_queue, net:net_dev_start_xmit, net:net_dev_xmit):
 *   qdisc: from the packet entering the device's transmit path (dev_queue_xmit) to the driver being
 *          handed it: queueing discipline wait, segmentation and checksum work, requeues under TX busy;
 *   xmit:  the driver's ndo_start_xmit call itself.
 * The namespace is the transmitting device's (dev->nd_net), so a pod's series describe its own eth0.
 *
 * Cost per packet, kept low because this runs for every packet sent:
 * - qdisc phase, device queue without a qdisc (noqueue: veth, bridge, vlan - every pod's eth0): the
 *   driver is called right away on the same CPU, so this CPU's state carries the timestamp, no hash map;
 * - qdisc phase, device queue with a qdisc (physical NICs, shaped devices): the packet may leave from
 *   another CPU much later, so its timestamp waits in an LRU hash keyed by skb address: one insert,
 *   one lookup, one delete;
 * - xmit phase: the driver call begins and ends on one CPU with bottom halves off, so a small per-CPU
 *   stack suffices (a stack, because stacked devices - bridges, VLANs, tunnels - transmit on their lower
 *   device from inside their own ndo_start_xmit);
 * - two histogram lookups, in a plain (not per-CPU) hash whose key carries the CPU: the JIT inlines a
 *   plain hash lookup, a per-CPU hash lookup is a helper call, about 45 ns more per lookup on the test
 *   machine (bench/bpf-cost.sh). Only its own CPU writes a key, so += stays safe as in a per-CPU map,
 *   and values exist only for the CPUs that really transmitted for a namespace.
 * BTF-typed tracepoints (tp_btf): the arguments are typed kernel pointers, so fields are read with
 * plain loads (CO-RE relocated through vmlinux.h's preserve_access_index) instead of one
 * bpf_probe_read_kernel call each (about 20 ns apiece here).
 *
 * Sampling (sample_every = N > 1, latency.h): even at that floor, timing every packet (three clock reads,
 * two histogram updates) costs a few per cent of a fast stream, so each phase times about one packet in
 * N, deciding on its own (qdisc at net_dev_queue, xmit at net_dev_start_xmit). An unsampled packet on a
 * noqueue device reads and writes one cache line of per-CPU state: no clock read, no hash map.
 *
 * Events (events.h): a timed phase longer than event_config.threshold_ns is a TX_LATENCY_SLOW event with
 * the device, and for the qdisc phase the packet's tuple (its own direction: source first). The driver
 * call's packet may be freed when net_dev_xmit fires, so the xmit phase has no tuple. Only timed packets
 * are checked, so the events are sampled like the histograms.
 */
#include "latency.h"
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define PHASE_QDISC 0
#define PHASE_XMIT 1

/* Event kinds (bits of event_config.kinds), as NetifTxProbe.java names them. */
#define KIND_TX_LATENCY_SLOW 0
/* The kernel's XMIT_RECURSION_LIMIT: deeper nesting is refused by the kernel itself. */
#define MAX_XMIT_NESTING 8
/*
 * A noqueue device hands the packet to its driver within microseconds (software segmentation at
 * most). An older timestamp belongs to a packet the device dropped; its address may already be reused.
 */
#define MAX_DIRECT_NS 1000000ULL

/*
 * Map index 0; label: CPU << 8 | phase (user space sums the CPUs); unit: nanoseconds. Keys are
 * (namespace, phase, CPU), hence more entries than the per-CPU maps of the other probes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct netns_key);
	__type(value, struct log2_hist);
} tx_latency SEC(".maps");

static __always_inline void observe(__u32 netns, __u32 phase, __u64 ns)
{
	histogram_observe(&tx_latency, 0, netns, bpf_get_smp_processor_id() << 8 | phase, ns);
}

/* The event of a slow phase; skb NULL when the packet may be gone. */
static __always_inline void slow_event(__u32 netns, __u32 phase, __u64 ns, const struct net_device *dev,
				       const struct sk_buff *skb)
{
	struct podnet_event *e;

	if (!event_wanted(KIND_TX_LATENCY_SLOW) || ns <= event_config.threshold_ns)
		return;
	e = event_reserve(KIND_TX_LATENCY_SLOW);
	if (!e)
		return;
	e->netns = netns;
	e->value = ns;
	e->phase = phase;
	e->ifindex = BPF_CORE_READ(dev, ifindex);
	bpf_probe_read_kernel_str(e->device, sizeof(e->device), &dev->name);
	if (skb)
		event_tuple_of_skb(e, skb);
	bpf_ringbuf_submit(e, 0);
}

/*
 * Sampled packets between dev_queue_xmit and a driver with a qdisc in between, by skb address: the time
 * they were queued. LRU, so packets that never reach a driver (dropped by the qdisc) are evicted instead
 * of filling the map. The address is only a key, never dereferenced.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} queued_skbs SEC(".maps");

/* A sampled driver call in progress. */
struct xmit_frame {
	__u64 started_ns;
	__u64 dev;
	__u32 netns;
	__u32 pad;
};

/*
 * This CPU's bookkeeping. The fields every packet touches come first and fit in 32 bytes; the frames
 * are written for sampled driver calls only.
 */
struct cpu_state {
	/*
	 * The packet last queued on this CPU, with its time if it was sampled on a device without a qdisc,
	 * 0 if it was not sampled: then net_dev_start_xmit need not search queued_skbs for it.
	 */
	__u64 queued_skb;
	__u64 queued_ns;
	__u32 qdisc_countdown; /* sampling of each phase, see take_sample */
	__u32 xmit_countdown;
	/*
	 * Sampled driver calls in progress, innermost last: stacked devices (bridges, VLANs, tunnels)
	 * transmit on their lower device from inside their own ndo_start_xmit. A call begins and ends on
	 * one CPU with bottom halves off.
	 */
	__u32 depth;
	__u32 pad;
	struct xmit_frame frames[MAX_XMIT_NESTING];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_state);
} cpu_states SEC(".maps");

static __always_inline struct cpu_state *this_cpu_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_states, &zero);
}

/*
 * Whether the packet's transmit queue has a qdisc that can hold it: the tracepoint fires once the
 * queue is picked (skb->queue_mapping) and right before the kernel tests txq->qdisc->enqueue. The root
 * qdisc would not do: mq's has no enqueue either, its per-queue children do.
 */
static __always_inline bool has_qdisc(const struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct netdev_queue *txq = dev ? dev->_tx : NULL;
	__u16 index = skb->queue_mapping;
	struct Qdisc *qdisc;

	if (!txq)
		return true; /* cannot tell: take the path that is right for both */
	if (index == 0) {
		qdisc = txq->qdisc;
		return qdisc && qdisc->enqueue != NULL;
	}
	/*
	 * The verifier refuses a variable offset on a typed pointer; other queues of a multi-queue device
	 * (physical NICs, which mostly have a qdisc and take the LRU path anyway) are read the old way.
	 */
	txq = (void *)txq + index * bpf_core_type_size(struct netdev_queue);
	return BPF_CORE_READ(txq, qdisc, enqueue) != NULL;
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(on_net_dev_queue, struct sk_buff *skb)
{
	struct cpu_state *state = this_cpu_state();
	__u64 address = (__u64)skb;
	__u64 now;

	if (!state)
		return 0;
	if (!take_sample(&state->qdisc_countdown)) {
		/* whether or not the device has a qdisc: such a packet is never in queued_skbs */
		state->queued_skb = address;
		state->queued_ns = 0;
		return 0;
	}
	now = bpf_ktime_get_ns();
	if (has_qdisc(skb)) {
		state->queued_skb = 0;
		bpf_map_update_elem(&queued_skbs, &address, &now, BPF_ANY);
		return 0;
	}
	state->queued_skb = address;
	state->queued_ns = now;
	return 0;
}

/*
 * When the packet was queued, if it was sampled; 0 otherwise. *now is the clock, read only when there is
 * something to time. The state's packet is consumed either way (the next packet queued on this CPU
 * refills it); only a packet other than the state's may be in queued_skbs. A state naming a reused
 * address (its packet was dropped before the driver) makes a sample missed, never a wrong one: a
 * timestamp older than MAX_DIRECT_NS is not used.
 */
static __always_inline __u64 queued_at(struct cpu_state *state, __u64 address, __u64 *now)
{
	__u64 *queued, at;

	if (state->queued_skb == address) {
		at = state->queued_ns;
		state->queued_skb = 0;
		if (!at)
			return 0;
		*now = bpf_ktime_get_ns();
		return *now - at < MAX_DIRECT_NS ? at : 0;
	}
	state->queued_skb = 0;
	queued = bpf_map_lookup_elem(&queued_skbs, &address);
	if (!queued)
		return 0;
	at = *queued;
	bpf_map_delete_elem(&queued_skbs, &address);
	*now = bpf_ktime_get_ns();
	return at;
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(on_net_dev_start_xmit, const struct sk_buff *skb, const struct net_device *dev)
{
	struct cpu_state *state = this_cpu_state();
	__u64 now = 0, queued, waited;
	__u32 depth, netns = 0;
	struct xmit_frame *frame;

	if (!state)
		return 0;
	queued = queued_at(state, (__u64)skb, &now);
	waited = elapsed_ns(queued, now);
	if (waited) {
		netns = dev->nd_net.net->ns.inum; /* a typed pointer: plain loads */
		observe(netns, PHASE_QDISC, waited);
		slow_event(netns, PHASE_QDISC, waited, dev, skb);
	}
	if (!take_sample(&state->xmit_countdown))
		return 0;
	depth = state->depth;
	/* Deeper than the kernel allows: an end was missed (probe attached mid-call); start afresh. */
	if (depth >= MAX_XMIT_NESTING)
		depth = 0;
	barrier_var(depth); /* MAX_XMIT_NESTING is a power of two: the mask bounds the index for the verifier */
	depth &= MAX_XMIT_NESTING - 1;
	frame = &state->frames[depth];
	frame->started_ns = now ? now : bpf_ktime_get_ns();
	frame->dev = (__u64)dev;
	frame->netns = netns ? netns : dev->nd_net.net->ns.inum;
	state->depth = depth + 1;
	return 0;
}

/*
 * The kernel always follows net_dev_start_xmit with net_dev_xmit on the same CPU (xmit_one), and the
 * programs are attached end first and detached start first, so every frame is ended. A frame of
 * another device on top is the enclosing sampled call of this unsampled one: left alone.
 */
SEC("tp_btf/net_dev_xmit")
int BPF_PROG(on_net_dev_xmit, struct sk_buff *skb, int rc, struct net_device *dev, unsigned int len)
{
	struct cpu_state *state = this_cpu_state();
	struct xmit_frame *frame;
	__u32 depth;
	__u64 ran;

	if (!state || state->depth == 0)
		return 0;
	depth = state->depth - 1;
	if (depth >= MAX_XMIT_NESTING) {
		state->depth = 0;
		return 0;
	}
	barrier_var(depth);
	depth &= MAX_XMIT_NESTING - 1;
	frame = &state->frames[depth];
	if (frame->dev != (__u64)dev)
		return 0;
	state->depth = depth;
	ran = elapsed_ns(frame->started_ns, bpf_ktime_get_ns());
	if (ran) {
		observe(frame->netns, PHASE_XMIT, ran);
		slow_event(frame->netns, PHASE_XMIT, ran, dev, NULL);
	}
	return 0;
}
