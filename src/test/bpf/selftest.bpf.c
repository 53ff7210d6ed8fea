// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only programs exercising the binding: a tc program (packets counted per CPU, sizes in a log2
 * histogram, one ring buffer event per packet) and a classic tracepoint read through its
 * trace_event_raw_* context with CO-RE.
 */
#include "podnet.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define TC_ACT_OK 0

struct config {
	__u32 udp_port; /* UDP destination port the tc program watches */
	__u32 tcp_port; /* TCP port whose ESTABLISHED transitions the tracepoint counts */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct config);
} settings SEC(".maps");

/* [0]: UDP packets seen by tc; [1]: ESTABLISHED transitions seen by the tracepoint; [2]: events lost */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

PODNET_HISTOGRAM_MAP(payload_sizes, 64); /* map index 0; key: (0, port); unit: bytes */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct packet_event {
	__u32 ifindex;
	__u32 length;
	__u16 port;
	__u16 payload;
};

static __always_inline void bump(__u32 index)
{
	__u64 *count = bpf_map_lookup_elem(&counts, &index);

	if (count)
		*count += 1;
}

SEC("tc")
int count_udp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct udphdr *udp;
	struct packet_event *event;
	struct config *cfg;
	__u32 zero = 0;
	__u16 payload;

	if ((void *)(ip + 1) > end || skb->protocol != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return TC_ACT_OK;
	cfg = bpf_map_lookup_elem(&settings, &zero);
	if (!cfg || bpf_ntohs(udp->dest) != cfg->udp_port)
		return TC_ACT_OK;
	payload = bpf_ntohs(udp->len) - sizeof(*udp);
	bump(0);
	histogram_observe(&payload_sizes, 0, 0, cfg->udp_port, payload);
	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		bump(2);
		return TC_ACT_OK;
	}
	event->ifindex = skb->ifindex;
	event->length = skb->len;
	event->port = cfg->udp_port;
	event->payload = payload;
	bpf_ringbuf_submit(event, 0);
	return TC_ACT_OK;
}

SEC("tracepoint/sock/inet_sock_set_state")
int count_established(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct config *cfg;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&settings, &zero);
	if (!cfg || ctx->protocol != IPPROTO_TCP || ctx->newstate != TCP_ESTABLISHED)
		return 0;
	if (ctx->dport == cfg->tcp_port || ctx->sport == cfg->tcp_port)
		bump(1);
	return 0;
}
