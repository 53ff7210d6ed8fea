#!/usr/bin/env bash
# Overhead of podnet's BPF probes on the data path: iperf3 between two network namespaces joined by a
# veth pair, for a fixed time, alternating runs WITHOUT podnet and WITH podnet running every BPF probe
# (scraped every 5 s, as Prometheus would). Reports the median throughput of each, their ratio, and the
# agent's CPU time per run.
#
#   sudo bench/overhead.sh [RUNS] [SECONDS]      default: 6 runs of each, 10 s each
#
# Alternating (without, with, without, with, ...) rather than all-without-then-all-with spreads drift
# (thermal, other load) over both sides. Raw figures go to bench/results/overhead-<time>.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-6}
secs=${2:-10}
probes=${PODNET_BPF_PROBES:-tcpretrans, tcpreset, tcpconn, packetloss, sockbuf, softirq, netiftx}
[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces, BPF)" >&2; exit 1; }
command -v iperf3 >/dev/null || "$root/scripts/install-deps" all

p="pnbench$$"
port=$((20000 + RANDOM % 20000))
out="$root/bench/results"; mkdir -p "$out"
raw="$out/overhead-$(date +%Y%m%d-%H%M%S).txt"
cfg=$(mktemp --suffix=.yaml)
agent_pid=""

cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  ip netns pids "$p-srv" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$p-cli" 2>/dev/null || true
  ip netns del "$p-srv" 2>/dev/null || true
  rm -f "$cfg"
}
trap cleanup EXIT

ip netns add "$p-cli"; ip netns add "$p-srv"
ip link add "${p}c" netns "$p-cli" type veth peer name "${p}s" netns "$p-srv"
ip -n "$p-cli" addr add 10.250.0.1/24 dev "${p}c"; ip -n "$p-srv" addr add 10.250.0.2/24 dev "${p}s"
for ns in "$p-cli" "$p-srv"; do ip -n "$ns" link set lo up; done
ip -n "$p-cli" link set "${p}c" up; ip -n "$p-srv" link set "${p}s" up
ip netns exec "$p-srv" iperf3 -s -D -B 10.250.0.2 >/dev/null

printf 'listen: 127.0.0.1:%s\nminInterval: 0s\nprobes: [%s]\n' "$port" "$probes" > "$cfg"
"$root/bin/podnet" probes >/dev/null   # builds the jar once, outside the measured runs

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_agent() {
  "$root/bin/podnet" run --config "$cfg" >"$out/overhead-agent.log" 2>&1 &
  agent_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/-/healthy" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port/metrics" >/dev/null
  # the JVM is the child of the launcher's exec: same pid
}
stop_agent() { kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""; }

iperf() {
  ip netns exec "$p-cli" iperf3 -c 10.250.0.2 -t "$secs" -J | awk -F'[:,]' '/"sum_received"/{f=1} f && /"bits_per_second"/{print $2; exit}'
}

echo "mode run bits_per_second agent_cpu_seconds" > "$raw"
hz=$(getconf CLK_TCK)
for i in $(seq "$runs"); do
  bps=$(iperf); echo "without $i $bps 0" | tee -a "$raw"
  start_agent
  t0=$(cpu_ticks "$agent_pid")
  ( while sleep 5; do curl -sf "http://127.0.0.1:$port/metrics" >/dev/null || true; done ) & scraper=$!
  bps=$(iperf)
  kill "$scraper" 2>/dev/null || true
  up=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^podnet_probe_up/ && / 0(\.0)?$/{print}' )
  [ -n "$up" ] && echo "warning: probes not up during the run: $up" | tee -a "$raw"
  t1=$(cpu_ticks "$agent_pid")
  echo "with $i $bps $(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN{printf "%.2f", (b-a)/hz}')" | tee -a "$raw"
  stop_agent
done

median() { sort -g | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
without=$(awk '$1=="without"{print $3}' "$raw" | median)
with=$(awk '$1=="with"{print $3}' "$raw" | median)
cpu=$(awk '$1=="with"{print $4}' "$raw" | median)
echo
echo "| runs x seconds | median without (Gbit/s) | median with BPF probes (Gbit/s) | with / without | throughput loss | agent CPU per run (s) |"
echo "|---|---|---|---|---|---|"
awk -v r="$runs" -v s="$secs" -v a="$without" -v b="$with" -v c="$cpu" 'BEGIN{
  printf "| %d x %d | %.2f | %.2f | %.3f | %.1f %% | %.2f |\n", r, s, a/1e9, b/1e9, b/a, (1-b/a)*100, c }'
echo "raw: $raw"
