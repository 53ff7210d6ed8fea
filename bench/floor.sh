#!/usr/bin/env bash
# What a BPF program run costs the data path before it does anything: iperf3 between two network
# namespaces (as in overhead.sh), alternating runs without and with EMPTY programs (bench/floor/
# empty.bpf.c) on the named tracepoints, attached by a small libbpf loader, no agent. Reports the median
# of the per-pair ratios with their quartiles, as overhead.sh does.
#
#   sudo bench/floor.sh PAIRS SECONDS PROGRAM...    e.g. bench/floor.sh 40 5 e_raise e_entry e_exit
#
# Needs clang, cc, bpftool and libbpf-dev (scripts/install-deps build). Raw: bench/results/floor-<time>.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 3 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
pairs=$1 secs=$2; shift 2
programs=("$@")
[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces, BPF)" >&2; exit 1; }
for tool in iperf3 jq clang cc bpftool; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-deps all)" >&2; exit 1; }
done

out="$root/bench/results"; mkdir -p "$out"
raw="$out/floor-$(date +%Y%m%d-%H%M%S).txt"
build=$(mktemp -d)
p="pnfloor$$"
loader_pid=""
cleanup() {
  [ -n "$loader_pid" ] && kill "$loader_pid" 2>/dev/null || true
  ip netns pids "$p-srv" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$p-cli" 2>/dev/null || true
  ip netns del "$p-srv" 2>/dev/null || true
  rm -rf "$build"
}
trap cleanup EXIT

bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$build/vmlinux.h"
case "$(uname -m)" in x86_64) arch=x86 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
clang -O2 -g -target bpf -D__TARGET_ARCH_$arch -I "$build" -c "$root/bench/floor/empty.bpf.c" -o "$build/empty.bpf.o"
cc -O2 "$root/bench/floor/loader.c" -o "$build/loader" -lbpf

ip netns add "$p-cli"; ip netns add "$p-srv"
ip link add "${p}c" netns "$p-cli" type veth peer name "${p}s" netns "$p-srv"
ip -n "$p-cli" addr add 10.249.0.1/24 dev "${p}c"; ip -n "$p-srv" addr add 10.249.0.2/24 dev "${p}s"
for ns in "$p-cli" "$p-srv"; do ip -n "$ns" link set lo up; done
ip -n "$p-cli" link set "${p}c" up; ip -n "$p-srv" link set "${p}s" up
ip netns exec "$p-srv" iperf3 -s -D -B 10.249.0.2 >/dev/null
sleep 1

run() { # mode pair
  local bps line
  if [ "$1" = with ]; then
    coproc LOADER { exec "$build/loader" "$build/empty.bpf.o" "${programs[@]}"; }
    loader_pid=$LOADER_PID
    read -r line <&"${LOADER[0]}" || true
    [ "$line" = attached ] || { echo "the loader did not attach ${programs[*]}" >&2; exit 1; }
  fi
  bps=$(ip netns exec "$p-cli" iperf3 -c 10.249.0.2 -t "$secs" -J ${PODNET_IPERF_ARGS:-} | jq '.end.sum_received.bits_per_second')
  if [ "$1" = with ]; then kill "$loader_pid"; wait "$loader_pid" 2>/dev/null || true; loader_pid=""; fi
  echo "$1 $2 $bps" | tee -a "$raw"
}

echo "mode pair bits_per_second (programs: ${programs[*]})" > "$raw"
for i in $(seq "$pairs"); do
  if [ $((i % 2)) -eq 1 ]; then run without "$i"; run with "$i"; else run with "$i"; run without "$i"; fi
done

quantile() { sort -g | awk -v q="$1" '{v[NR]=$1} END{ h=(NR-1)*q+1; l=int(h); print v[l] + (h-l)*(v[l+1 <= NR ? l+1 : l]-v[l]) }'; }
ratios() { awk '$1=="without"{w[$2]=$3} $1=="with"{x[$2]=$3} END{for (i in x) if (w[i] > 0) print x[i]/w[i]}' "$raw"; }
m=$(ratios | quantile 0.5); q1=$(ratios | quantile 0.25); q3=$(ratios | quantile 0.75)
echo
echo "| empty programs | pairs x seconds | with / without, median of pairs (quartiles) | throughput loss |"
echo "|---|---|---|---|"
awk -v p="${programs[*]}" -v r="$pairs" -v s="$secs" -v m="$m" -v q1="$q1" -v q3="$q3" 'BEGIN{
  printf "| %s | %d x %d | %.3f (%.3f-%.3f) | %.1f %% |\n", p, r, s, m, q1, q3, (1-m)*100 }'
echo "raw: $raw"
