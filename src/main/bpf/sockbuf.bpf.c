// SPDX-License-Identifier: GPL-2.0
/*
 * Socket buffer limits hit, per network namespace and socket kind:
 *   sock:sock_rcvqueue_full - a packet dropped because the socket's receive queue was at SO_RCVBUF,
 *     for sockets that queue through sock_queue_rcv_skb: ICMP ping, L2TP, CAN, ... UDP (which fires
 *     udp:udp_fail_queue_rcv_skb and counts Udp RcvbufErrors), TCP (TcpExt TCPRcvQDrop) and, on
 *     Linux 6.18 at least, raw sockets (checked before the clone) drop on paths of their own;
 *   sock:sock_exceed_buf_limit - a send or receive memory allocation refused because the protocol's
 *     memory limit (net.ipv4.tcp_mem / udp_mem) or the socket's memory cgroup limit was reached.
 * Both fire only when a limit is hit, so the probe costs nothing on a healthy node.
 */
#include "podnet.h"

char LICENSE[] SEC("license") = "GPL";

PODNET_COUNTER_MAP(rcvqueue_full, 4096);    /* map index 0; label: sock_label() */
PODNET_COUNTER_MAP(exceed_buf_limit, 4096); /* map index 1; label: kind << 28 | sock_label() */

/* family (8 bits) << 20 | type (4 bits) << 16 | protocol (16 bits); decoded by SockLabels.java. */
static __always_inline __u32 sock_label(const struct sock *sk)
{
	__u32 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u32 type = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type);
	__u32 protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);

	return (family & 0xff) << 20 | (type & 0xf) << 16 | (protocol & 0xffff);
}

SEC("raw_tp/sock_rcvqueue_full")
int BPF_PROG(on_sock_rcvqueue_full, struct sock *sk, struct sk_buff *skb)
{
	if (sk)
		counter_add(&rcvqueue_full, 0, sk_netns(sk), sock_label(sk), 1);
	return 0;
}

/* kind: SK_MEM_SEND (0) or SK_MEM_RECV (1). */
SEC("raw_tp/sock_exceed_buf_limit")
int BPF_PROG(on_sock_exceed_buf_limit, struct sock *sk, struct proto *prot, long allocated, int kind)
{
	if (sk)
		counter_add(&exceed_buf_limit, 1, sk_netns(sk), (__u32)(kind & 0x3) << 28 | sock_label(sk), 1);
	return 0;
}
