// SPDX-License-Identifier: GPL-2.0
/* A program the verifier must reject: it dereferences a map lookup without checking for NULL. */
#include "podnet.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

SEC("raw_tp/sys_enter")
int deref_without_check(void *ctx)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&values, &key);

	return *value;
}
