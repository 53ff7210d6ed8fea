// SPDX-License-Identifier: GPL-2.0
/*
 * TCP connections opened (active, passive), active opens that failed, and the lifetime of
 * established connections, per network namespace (sock:inet_sock_set_state); and, when the config
 * wants them, one event per failed active open (events.h).
 */
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define DIRECTION_ACTIVE 0
#define DIRECTION_PASSIVE 1

/* Event kinds (bits of event_config.kinds), as TcpConnProbe.java names them. */
#define KIND_CONNECT_FAILED 0

PODNET_COUNTER_MAP(opens, 8192);            /* map index 0; label: direction */
PODNET_COUNTER_MAP(connect_failures, 4096); /* map index 1; label: 0 */
PODNET_HISTOGRAM_MAP(lifetimes, 8192);      /* map index 2; label: direction; unit: microseconds */

struct established {
	__u64 since_ns;
	__u32 netns;
	__u32 direction;
};

/*
 * Open connections by socket address. LRU: if close transitions are ever missed, stale entries are
 * evicted instead of filling the map; when more connections are open than it holds, the oldest lose
 * their lifetime sample, never the newest.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct established);
} open_connections SEC(".maps");

/*
 * The event of an active open that failed: the socket's tuple (local end first) and its error, which the
 * kernel sets before the socket goes to CLOSE (tcp_done_with_error: ECONNREFUSED on a reset, ETIMEDOUT or
 * the last ICMP error when the SYNs ran out); 0 when the application closed the socket while connecting.
 */
static __always_inline void connect_failed(const struct sock *sk, __u32 netns)
{
	struct podnet_event *e;

	if (!event_wanted(KIND_CONNECT_FAILED))
		return;
	e = event_reserve(KIND_CONNECT_FAILED);
	if (!e)
		return;
	e->netns = netns;
	e->state = TCP_SYN_SENT;
	e->reason = (__u32)BPF_CORE_READ(sk, sk_err);
	event_tuple_of_sock(e, sk);
	bpf_ringbuf_submit(e, 0);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(on_inet_sock_set_state, const struct sock *sk, int oldstate, int newstate)
{
	__u64 address = (__u64)sk;
	struct established *open;
	__u32 netns;

	/* The tracepoint also reports other inet protocols' states (SCTP, MPTCP). */
	if (!sk || BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	netns = sk_netns(sk);

	if (newstate == TCP_ESTABLISHED && (oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV)) {
		struct established now = {
			.since_ns = bpf_ktime_get_ns(),
			.netns = netns,
			.direction = oldstate == TCP_SYN_SENT ? DIRECTION_ACTIVE : DIRECTION_PASSIVE,
		};
		counter_add(&opens, 0, netns, now.direction, 1);
		bpf_map_update_elem(&open_connections, &address, &now, BPF_ANY);
		return 0;
	}
	if (newstate != TCP_CLOSE)
		return 0;
	if (oldstate == TCP_SYN_SENT) {
		counter_add(&connect_failures, 1, netns, 0, 1);
		connect_failed(sk, netns);
	}
	open = bpf_map_lookup_elem(&open_connections, &address);
	if (open) {
		__u64 micros = (bpf_ktime_get_ns() - open->since_ns) / 1000;

		histogram_observe(&lifetimes, 2, open->netns, open->direction, micros);
		bpf_map_delete_elem(&open_connections, &address);
	}
	return 0;
}
