#!/usr/bin/env bash
# What one BPF program run and one bpf_ktime_get_ns() cost on this machine, without bpf_stats: ns per
# getppid() call on one CPU, without a program on sys_enter, with an empty one (tp_btf and raw_tp), and
# with one that reads the clock. Five rounds, alternating. The tracepoint also sends every syscall down
# the slower traced entry path, so "empty - none" is an upper bound for one run.
#
#   sudo bench/floor/dispatch.sh        (briefly slows every syscall on the machine while a program is attached)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "needs root (BPF)" >&2; exit 1; }
build=$(mktemp -d); loader_pid=""
trap '[ -n "$loader_pid" ] && kill "$loader_pid" 2>/dev/null; rm -rf "$build"' EXIT
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$build/vmlinux.h"
case "$(uname -m)" in x86_64) arch=x86 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
clang -O2 -g -target bpf -D__TARGET_ARCH_$arch -I "$build" -c "$here/empty.bpf.c" -o "$build/empty.bpf.o"
cc -O2 "$here/loader.c" -o "$build/loader" -lbpf
cc -O2 "$here/getppid_loop.c" -o "$build/loop"

measure() { # program|none
  local line ns
  if [ "$1" = none ]; then taskset -c 1 "$build/loop"; return; fi
  coproc LOADER { exec "$build/loader" "$build/empty.bpf.o" "$1"; }
  loader_pid=$LOADER_PID
  read -r line <&"${LOADER[0]}" || true
  [ "$line" = attached ] || { echo "could not attach $1" >&2; exit 1; }
  ns=$(taskset -c 1 "$build/loop")
  kill "$loader_pid"; wait "$loader_pid" 2>/dev/null || true; loader_pid=""
  echo "$ns"
}
for round in 1 2 3 4 5; do
  for program in none s_empty s_empty_raw s_clock; do
    echo "$program $(measure "$program")"
  done
done | awk '{ sum[$1] += $2; n[$1]++ } END {
  none = sum["none"] / n["none"]
  printf "ns per getppid(): none %.1f, empty tp_btf %.1f, empty raw_tp %.1f, tp_btf + clock read %.1f\n",
    none, sum["s_empty"] / n["s_empty"], sum["s_empty_raw"] / n["s_empty_raw"], sum["s_clock"] / n["s_clock"]
  printf "one empty run (upper bound): %.0f ns tp_btf, %.0f ns raw_tp; one bpf_ktime_get_ns(): %.0f ns\n",
    sum["s_empty"] / n["s_empty"] - none, sum["s_empty_raw"] / n["s_empty_raw"] - none,
    (sum["s_clock"] - sum["s_empty"]) / n["s_clock"] }'
