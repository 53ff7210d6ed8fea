// SPDX-License-Identifier: GPL-2.0
/*
 * Programs that do nothing, on the tracepoints of podnet's per-packet probes (netiftx, softirq): what a
 * program run costs the data path before it does anything (bench/floor.sh). e_*: as podnet attaches them
 * now (tp_btf); r_*: the same as raw_tp programs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/net_dev_queue") int BPF_PROG(e_queue) { return 0; }
SEC("tp_btf/net_dev_start_xmit") int BPF_PROG(e_start) { return 0; }
SEC("tp_btf/net_dev_xmit") int BPF_PROG(e_xmit) { return 0; }
SEC("tp_btf/softirq_raise") int BPF_PROG(e_raise) { return 0; }
SEC("tp_btf/softirq_entry") int BPF_PROG(e_entry) { return 0; }
SEC("tp_btf/softirq_exit") int BPF_PROG(e_exit) { return 0; }

SEC("raw_tp/net_dev_queue") int BPF_PROG(r_queue) { return 0; }
SEC("raw_tp/net_dev_start_xmit") int BPF_PROG(r_start) { return 0; }
SEC("raw_tp/net_dev_xmit") int BPF_PROG(r_xmit) { return 0; }
SEC("raw_tp/softirq_raise") int BPF_PROG(r_raise) { return 0; }
SEC("raw_tp/softirq_entry") int BPF_PROG(r_entry) { return 0; }
SEC("raw_tp/softirq_exit") int BPF_PROG(r_exit) { return 0; }

/* On sys_enter, for bench/floor/dispatch.sh: a getppid() loop prices one run, and one clock read. */
__u64 last_ns;
SEC("tp_btf/sys_enter") int BPF_PROG(s_empty) { return 0; }
SEC("raw_tp/sys_enter") int BPF_PROG(s_empty_raw) { return 0; }
SEC("tp_btf/sys_enter") int BPF_PROG(s_clock) { last_ns = bpf_ktime_get_ns(); return 0; }
