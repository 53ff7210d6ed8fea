/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by podnet's latency probes (softirq, netiftx): durations in nanoseconds go into log2
 * histograms (podnet.h's struct log2_hist). User space merges the sub-microsecond slots into its first
 * bucket and exports slot i as the bucket "le 2^i ns", up to 2^30 ns (about 1 s), then +Inf.
 */
#ifndef PODNET_LATENCY_H
#define PODNET_LATENCY_H

#include "podnet.h"

/* The time from an earlier timestamp to now; 0 when the earlier one is unset or in the future. */
static __always_inline __u64 elapsed_ns(__u64 since_ns, __u64 now_ns)
{
	return since_ns && now_ns > since_ns ? now_ns - since_ns : 0;
}

/*
 * Sampling, for probes that run far too often to time every event (probeSettings.<probe>.sampleEvery):
 * time about one event in sample_every. User space sets it before loading, so the verifier knows the
 * value, and at 1 removes the sampling code.
 */
const volatile __u32 sample_every = 1;

/*
 * Counts down one event; true when this one is to be timed. The next count is drawn at random from 1
 * to 2N - 1 (mean N), so events that alternate in kind (data and ACK packets on one device) are not
 * sampled in step with them; the random draw is paid by sampled events only. The countdown is per
 * CPU, never derived from the event (freed skbs are reused at once: one address, many packets).
 */
static __always_inline bool take_sample(__u32 *countdown)
{
	if (sample_every <= 1)
		return true;
	if (*countdown > 1) {
		*countdown -= 1;
		return false;
	}
	*countdown = bpf_get_prandom_u32() % (2 * sample_every - 1) + 1;
	return true;
}

#endif
