// SPDX-License-Identifier: GPL-2.0
/*
 * Network softirq latency, node-wide (irq:softirq_raise, irq:softirq_entry, irq:softirq_exit): how
 * long NET_RX / NET_TX work waited between being raised and starting to run on a CPU (time spent
 * behind other softirqs, hard interrupts or, deferred to ksoftirqd, behind other threads), and how
 * long each run took.
 *
 * Everything is per CPU: softirqs are raised, run and finish on one CPU, so a per-CPU array holds the
 * timestamps and another the histograms, with no locks and no hashing. Only the first raise before a
 * run counts (later raises of a pending softirq change nothing), so wait is measured from the moment
 * the work became pending.
 *
 * Sampling (sample_every = N > 1, latency.h): each phase times about one softirq in N per CPU and type.
 * What an unsampled softirq costs is the three program runs with a per-CPU slot each: no clock read,
 * no histogram update. Other softirq types (timers, RCU, scheduler) return before anything else.
 * BTF-typed tracepoints (tp_btf), as netiftx: the same raw tracepoint link; with empty programs on these
 * three tracepoints iperf3 lost 1.0 % as tp_btf against 2.5 % as raw_tp (BENCHMARKS.md, within the
 * noise of one 40-pair run, but never worse).
 *
 * Events (events.h): a timed wait or run longer than event_config.threshold_ns is a SOFTIRQ_SLOW event
 * (reason: the type, phase: the phase, cpu: where). Only timed softirqs are checked, so the events are
 * sampled like the histograms: the check costs one comparison per timed softirq.
 */
#include "latency.h"
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define TYPE_NET_TX 0
#define TYPE_NET_RX 1
#define PHASE_WAIT 0
#define PHASE_RUN 1

/* Event kinds (bits of event_config.kinds), as SoftirqProbe.java names them. */
#define KIND_SOFTIRQ_SLOW 0

/* raised_ns of a pending softirq whose wait is not sampled: no real timestamp is this small. */
#define NOT_TIMED 1

struct softirq_times {
	__u64 raised_ns;  /* first raise since the last entry, or NOT_TIMED; 0: not pending (as far as we saw) */
	__u64 entered_ns; /* entry of the sampled run in progress; 0: none */
	__u32 wait_countdown; /* sampling of each phase, see take_sample */
	__u32 run_countdown;
};

/* Index: TYPE_NET_TX, TYPE_NET_RX. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct softirq_times);
} softirq_times SEC(".maps");

/* Index: type * 2 + phase; unit: nanoseconds. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct log2_hist);
} softirq_latency SEC(".maps");

/* The type of a network softirq vector; -1 for every other softirq (timers, RCU, ...), the most frequent. */
static __always_inline int net_type(unsigned int vec)
{
	if (vec == NET_RX_SOFTIRQ)
		return TYPE_NET_RX;
	if (vec == NET_TX_SOFTIRQ)
		return TYPE_NET_TX;
	return -1;
}

static __always_inline struct softirq_times *times_of(__u32 type)
{
	return bpf_map_lookup_elem(&softirq_times, &type);
}

static __always_inline void observe(__u32 type, __u32 phase, __u64 ns)
{
	__u32 index = type * 2 + phase;
	struct log2_hist *hist = bpf_map_lookup_elem(&softirq_latency, &index);

	if (hist)
		log2_hist_add(hist, ns);
	if (event_wanted(KIND_SOFTIRQ_SLOW) && ns > event_config.threshold_ns) {
		struct podnet_event *e = event_reserve(KIND_SOFTIRQ_SLOW);

		if (e) {
			e->value = ns;
			e->reason = type;
			e->phase = phase;
			bpf_ringbuf_submit(e, 0);
		}
	}
}

/* Runs with interrupts off (hard interrupt or irq-off section), so it never interleaves with itself. */
SEC("tp_btf/softirq_raise")
int BPF_PROG(on_softirq_raise, unsigned int vec)
{
	int type = net_type(vec);
	struct softirq_times *times;

	if (type < 0)
		return 0;
	times = times_of(type);
	if (times && !times->raised_ns)
		times->raised_ns = take_sample(&times->wait_countdown) ? bpf_ktime_get_ns() : NOT_TIMED;
	return 0;
}

/*
 * A hard interrupt may raise the softirq again between our read and clear of raised_ns; that raise's
 * time is then lost and the next run has no wait sample: a missed sample, never a wrong one.
 */
SEC("tp_btf/softirq_entry")
int BPF_PROG(on_softirq_entry, unsigned int vec)
{
	int type = net_type(vec);
	struct softirq_times *times;
	__u64 raised, waited, now = 0;

	if (type < 0)
		return 0;
	times = times_of(type);
	if (!times)
		return 0;
	raised = times->raised_ns;
	times->raised_ns = 0;
	if (raised > NOT_TIMED) {
		now = bpf_ktime_get_ns();
		waited = elapsed_ns(raised, now);
		if (waited)
			observe(type, PHASE_WAIT, waited);
	}
	if (!take_sample(&times->run_countdown)) {
		times->entered_ns = 0;
		return 0;
	}
	times->entered_ns = now ? now : bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(on_softirq_exit, unsigned int vec)
{
	int type = net_type(vec);
	struct softirq_times *times;
	__u64 entered, ran;

	if (type < 0)
		return 0;
	times = times_of(type);
	if (!times || !times->entered_ns)
		return 0; /* not sampled: no clock read */
	entered = times->entered_ns;
	times->entered_ns = 0;
	ran = elapsed_ns(entered, bpf_ktime_get_ns());
	if (ran)
		observe(type, PHASE_RUN, ran);
	return 0;
}
