#!/usr/bin/env bash
# What each BPF program of podnet costs on the data path: for each probe alone, iperf3 runs between two
# network namespaces (as in overhead.sh) while the kernel counts, per BPF program, how often it ran and
# how long (kernel.bpf_stats_enabled=1: run_cnt and run_time_ns, read with bpftool). Prints per program
# the runs per second, nanoseconds per run and the share of one CPU it took.
#
#   sudo bench/bpf-cost.sh [SECONDS] [PROBE...]     default: 10 s; every BPF probe (traffic included), one at a time
#   PODNET_PROBE_SETTINGS='netiftx: {sampleEvery: 1}' ...   probe settings (the inside of probeSettings: {...})
#   PODNET_EVENTS='types: [HEALTH_CHECK_FAILED]' ...   the events config (the inside of events: {...}); this one
#                                                       turns the BPF probes' events off (default: all types on)
#   PODNET_EXTRA_CONFIG='...' PODNET_EXTRA_READY='^podnet_flow_namespaces 2'   YAML appended to the agent's
#                                                  config (@NS@: this run's namespace prefix, the pair is @NS@-cli
#                                                  and @NS@-srv), and an extended regex a line of /metrics matches
#                                                  once it is in force, e.g. a host-mode flow task:
#   PODNET_EXTRA_CONFIG="$(cat bench/probesets/flow-task.yaml)" PODNET_EXTRA_READY='^podnet_flow_namespaces 2' \
#     bench/bpf-cost.sh 10 traffic
#
# The statistics add two clock reads to every program run (some tens of ns), so these runs are never
# used for throughput: overhead.sh measures that with the statistics off. Raw figures go to
# bench/results/bpf-cost-<time>.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
secs=${1:-10}
shift || true
probes=("$@")
[ ${#probes[@]} -gt 0 ] || probes=(tcpretrans tcpreset tcpconn packetloss sockbuf softirq netiftx traffic)
[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces, BPF)" >&2; exit 1; }
for tool in iperf3 bpftool jq; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-deps all)" >&2; exit 1; }
done

p="pncost$$"
port=$((20000 + RANDOM % 20000))
out="$root/bench/results"; mkdir -p "$out"
raw="$out/bpf-cost-$(date +%Y%m%d-%H%M%S).txt"
cfg=$(mktemp --suffix=.yaml)
agent_pid=""
stats_before=$(sysctl -n kernel.bpf_stats_enabled)

cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  sysctl -q -w kernel.bpf_stats_enabled="$stats_before" || true
  ip netns pids "$p-srv" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$p-cli" 2>/dev/null || true
  ip netns del "$p-srv" 2>/dev/null || true
  rm -f "$cfg"
}
trap cleanup EXIT

ip netns add "$p-cli"; ip netns add "$p-srv"
ip link add "${p}c" netns "$p-cli" type veth peer name "${p}s" netns "$p-srv"
ip -n "$p-cli" addr add 10.251.0.1/24 dev "${p}c"; ip -n "$p-srv" addr add 10.251.0.2/24 dev "${p}s"
for ns in "$p-cli" "$p-srv"; do ip -n "$ns" link set lo up; done
ip -n "$p-cli" link set "${p}c" up; ip -n "$p-srv" link set "${p}s" up
ip netns exec "$p-srv" iperf3 -s -D -B 10.251.0.2 >/dev/null
"$root/bin/podnet" probes >/dev/null   # builds the jar once, outside the measured runs

# The agent's programs: the prog_id of each BPF program file descriptor it holds (this bpftool cannot
# list owner pids, and other processes may have programs loaded).
agent_progs() {
  local ids
  ids=$(grep -h '^prog_id:' /proc/"$agent_pid"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -un | paste -sd, -)
  bpftool prog show -j | jq -r --argjson ids "[${ids}]" \
    '.[] | select(.id as $id | $ids | any(.[]; . == $id)) | "\(.id) \(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"'
}

echo "probe program runs runs_per_s ns_per_run cpu_percent gbit_per_s" | tee "$raw"
sysctl -q -w kernel.bpf_stats_enabled=1
for probe in "${probes[@]}"; do
  printf 'listen: 127.0.0.1:%s\nminInterval: 0s\nprobes: [%s]\n' "$port" "$probe" > "$cfg"
  [ -z "${PODNET_PROBE_SETTINGS:-}" ] || printf 'probeSettings: {%s}\n' "$PODNET_PROBE_SETTINGS" >> "$cfg"
  [ -z "${PODNET_EVENTS:-}" ] || printf 'events: {%s}\n' "$PODNET_EVENTS" >> "$cfg"
  [ -z "${PODNET_EXTRA_CONFIG:-}" ] || printf '%s\n' "${PODNET_EXTRA_CONFIG//@NS@/$p}" >> "$cfg"
  "$root/bin/podnet" run --config "$cfg" >"$out/bpf-cost-agent.log" 2>&1 &
  agent_pid=$!
  up=""
  for _ in $(seq 100); do
    up=$(curl -sf "http://127.0.0.1:$port/metrics" | grep "^podnet_probe_up{.*probe=\"$probe\"" || true)
    [[ "$up" =~ \ 1(\.0)?$ ]] && break
    sleep 0.2
  done
  [[ "$up" =~ \ 1(\.0)?$ ]] || { echo "probe $probe is not up ($up); see $out/bpf-cost-agent.log" >&2; exit 1; }
  if [ -n "${PODNET_EXTRA_READY:-}" ]; then
    ready=0
    for _ in $(seq 100); do
      ready=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -cE "$PODNET_EXTRA_READY" || true)
      [ "$ready" -gt 0 ] && break
      sleep 0.2
    done
    [ "$ready" -gt 0 ] || { echo "no line of /metrics matches $PODNET_EXTRA_READY" >&2; exit 1; }
  fi
  declare -A before=()
  while read -r id name cnt ns; do before[$id]="$cnt $ns"; done < <(agent_progs)
  bps=$(ip netns exec "$p-cli" iperf3 -c 10.251.0.2 -t "$secs" -J \
    | jq '.end.sum_received.bits_per_second')
  while read -r id name cnt ns; do
    read -r cnt0 ns0 <<<"${before[$id]:-0 0}"
    awk -v probe="$probe" -v name="$name" -v c=$((cnt - cnt0)) -v n=$((ns - ns0)) -v s="$secs" -v bps="$bps" 'BEGIN{
      printf "%s %s %d %.0f %.0f %.2f %.2f\n", probe, name, c, c/s, (c ? n/c : 0), n/(s*1e9)*100, bps/1e9 }'
  done < <(agent_progs) | tee -a "$raw"
  kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""
done

echo
echo "| probe | program | runs / s | ns / run | % of one CPU | iperf3 Gbit/s |"
echo "|---|---|---|---|---|---|"
awk 'NR > 1 { printf "| %s | %s | %d | %d | %.2f | %.2f |\n", $1, $2, $4, $5, $6, $7 }' "$raw"
echo "raw: $raw"
