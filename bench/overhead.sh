#!/usr/bin/env bash
# Overhead of podnet's BPF probes on the data path: iperf3 between two network namespaces joined by a
# veth pair, for a fixed time, alternating runs WITHOUT and WITH every BPF probe attached. One agent
# runs throughout (scraped every 5 s, as Prometheus would); between runs its config is rewritten and
# hot-reloaded to attach or detach the probes, so both sides pay the same JVM (JIT, GC, scrapes) and
# the difference is the probes' own cost. Reports the median throughput of each side, the median and
# quartiles of the per-pair ratio with/without, and the agent's CPU time per run.
#
#   sudo bench/overhead.sh [PAIRS] [SECONDS]     default: 10 pairs of runs, 10 s each
#   PODNET_BPF_PROBES="netiftx, softirq" ...     another probe set (default: every BPF probe, traffic included)
#   PODNET_PROBE_SETTINGS='netiftx: {sampleEvery: 1}' ...   probe settings (the inside of probeSettings: {...})
#   PODNET_IPERF_ARGS="-C cubic" ...              more iperf3 client options (here: the congestion control;
#                                                  the default is the machine's, bbr on the reference VM)
#   PODNET_BASELINE_PROBES="netiftx, softirq" ...  probes attached on BOTH sides: "with" adds PODNET_BPF_PROBES
#                                                  to them, so the ratio is the added probes' marginal cost
#   PODNET_EXTRA_CONFIG='...'                      YAML appended to the agent's config on both sides
#   PODNET_WITH_CONFIG='...'                       YAML appended on the "with" side only, e.g. a host-mode task;
#                                                  @NS@ in either stands for this run's namespace prefix (the pair
#                                                  is @NS@-cli and @NS@-srv)
#   PODNET_WITH_READY='^podnet_flow_namespaces 2'  with PODNET_WITH_CONFIG: an extended regex that a line of
#                                                  /metrics matches once the with-config is in force, and that no
#                                                  line matches without it (the script waits for both)
#   PODNET_BPF_PROBES="" ...                       set but empty: "with" adds no probes (only PODNET_WITH_CONFIG)
#
# The marginal cost of a flow task on top of the traffic probe (every TCP flow item per flow, both
# namespaces of the pair selected):
#   PODNET_BASELINE_PROBES=traffic PODNET_BPF_PROBES= PODNET_WITH_READY='^podnet_flow_namespaces 2' \
#   PODNET_WITH_CONFIG="$(cat bench/probesets/flow-task.yaml)" bench/overhead.sh 10 10
#
# Pairs alternate their order (without-with, with-without, ...) so drift (thermal, other jobs' load)
# falls on both sides; the ratio within a pair compares runs seconds apart, which is what survives a
# machine shared with other work. Raw figures go to bench/results/overhead-<time>.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pairs=${1:-10}
secs=${2:-10}
probes=${PODNET_BPF_PROBES-tcpretrans, tcpreset, tcpconn, packetloss, sockbuf, softirq, netiftx, traffic}
with_config=${PODNET_WITH_CONFIG:-}
with_ready=${PODNET_WITH_READY:-}
if [ -n "$with_config" ] && [ -z "$with_ready" ]; then
  echo "PODNET_WITH_CONFIG needs PODNET_WITH_READY (how to tell that it is in force)" >&2; exit 2
fi
if [ -z "$probes" ] && [ -z "$with_config" ]; then
  echo "nothing to compare: PODNET_BPF_PROBES is empty and there is no PODNET_WITH_CONFIG" >&2; exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces, BPF)" >&2; exit 1; }
command -v iperf3 >/dev/null || "$root/scripts/install-deps" all
command -v jq >/dev/null || "$root/scripts/install-deps" all

p="pnbench$$"
port=$((20000 + RANDOM % 20000))
out="$root/bench/results"; mkdir -p "$out"
raw="$out/overhead-$(date +%Y%m%d-%H%M%S).txt"
cfgdir=$(mktemp -d)
cfg=$cfgdir/podnet.yaml
agent_pid="" scraper=""

cleanup() {
  [ -n "$scraper" ] && kill "$scraper" 2>/dev/null || true
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  ip netns pids "$p-srv" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$p-cli" 2>/dev/null || true
  ip netns del "$p-srv" 2>/dev/null || true
  rm -rf "$cfgdir"
}
trap cleanup EXIT

ip netns add "$p-cli"; ip netns add "$p-srv"
ip link add "${p}c" netns "$p-cli" type veth peer name "${p}s" netns "$p-srv"
ip -n "$p-cli" addr add 10.250.0.1/24 dev "${p}c"; ip -n "$p-srv" addr add 10.250.0.2/24 dev "${p}s"
for ns in "$p-cli" "$p-srv"; do ip -n "$ns" link set lo up; done
ip -n "$p-cli" link set "${p}c" up; ip -n "$p-srv" link set "${p}s" up
ip netns exec "$p-srv" iperf3 -s -D -B 10.250.0.2 >/dev/null

# The agent reloads its config when the content changes (checked every 2 s); rename makes it atomic.
write_config() { # probes [with]
  printf 'listen: 127.0.0.1:%s\nminInterval: 0s\nprobes: [%s]\n' "$port" "$1" > "$cfg.tmp"
  [ -z "${PODNET_PROBE_SETTINGS:-}" ] || printf 'probeSettings: {%s}\n' "$PODNET_PROBE_SETTINGS" >> "$cfg.tmp"
  [ -z "${PODNET_EXTRA_CONFIG:-}" ] || printf '%s\n' "${PODNET_EXTRA_CONFIG//@NS@/$p}" >> "$cfg.tmp"
  [ "${2:-}" != with ] || [ -z "$with_config" ] || printf '%s\n' "${with_config//@NS@/$p}" >> "$cfg.tmp"
  mv "$cfg.tmp" "$cfg"
}
# Distinct programs, not file descriptors: a windowed probe (netiftx, softirq) keeps its programs loaded
# but opens and closes its links (whose fdinfo names the program too) with every window.
bpf_programs() { grep -h '^prog_id:' /proc/"$agent_pid"/fdinfo/* 2>/dev/null | sort -u | wc -l; }
probes_up() {
  curl -sf "http://127.0.0.1:$port/metrics" | awk '/^podnet_probe_up\{/ && / 1(\.0)?$/' | wc -l
}
# Whether the with-side config is in force (always, without one): the whole scrape is read, no grep -q.
with_in_force() {
  [ -n "$with_ready" ] || return 0
  [ "$(curl -sf "http://127.0.0.1:$port/metrics" | grep -cE "$with_ready" || true)" -gt 0 ]
}
baseline=${PODNET_BASELINE_PROBES:-}
base_wanted=$(tr ',' '\n' <<<"$baseline" | grep -c '[a-z]' || true)
added=$(tr ',' '\n' <<<"$probes" | grep -c '[a-z]' || true)
wanted=$((base_wanted + added))
base_programs=0   # BPF programs of the baseline probes, counted once they are up

# Attaches (with) or detaches (without) the probes and waits until the agent has done so.
set_mode() {
  if [ "$1" = with ]; then
    write_config "${baseline:+$baseline${probes:+, }}$probes" with
  else
    write_config "$baseline"
  fi
  for _ in $(seq 150); do
    if [ "$1" = with ]; then
      [ "$(probes_up)" -eq "$wanted" ] && { [ "$added" -eq 0 ] || [ "$(bpf_programs)" -gt "$base_programs" ]; } \
        && with_in_force && break
    else
      [ "$(bpf_programs)" -eq "$base_programs" ] && [ "$(probes_up)" -eq "$base_wanted" ] \
        && { [ -z "$with_ready" ] || ! with_in_force; } && break
    fi
    sleep 0.2
  done
  [ "$1" = without ] && [ "$(bpf_programs)" -ne "$base_programs" ] && { echo "probes still attached" >&2; exit 1; }
  [ "$1" = without ] && [ -n "$with_ready" ] && with_in_force && { echo "the with-config is still in force" >&2; exit 1; }
  if [ "$1" = with ] && [ "$(probes_up)" -ne "$wanted" ]; then
    echo "not all of [$probes] came up:" >&2
    curl -sf "http://127.0.0.1:$port/metrics" | grep '^podnet_probe_up' >&2
    exit 1
  fi
  if [ "$1" = with ] && ! with_in_force; then
    echo "the with-config is not in force: no line of /metrics matches $with_ready" >&2; exit 1
  fi
  sleep 1 # let the load and verification settle
}

"$root/bin/podnet" probes >/dev/null   # builds the jar once, outside the measured runs
write_config ""
"$root/bin/podnet" run --config "$cfg" >"$out/overhead-agent.log" 2>&1 &
agent_pid=$!   # the JVM is the child of the launcher's exec: same pid
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/-/healthy" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/metrics" >/dev/null
( while sleep 5; do curl -sf "http://127.0.0.1:$port/metrics" >/dev/null || true; done ) & scraper=$!

cpu_ticks() { awk '{print $14 + $15}' "/proc/$agent_pid/stat"; }
hz=$(getconf CLK_TCK)
run() { # mode pair
  set_mode "$1"
  local t0 t1 bps load
  load=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(cpu_ticks)
  # iperf3 fails now and then on a busy machine ("control socket has closed unexpectedly"): try again
  for _ in 1 2 3; do
    bps=$(ip netns exec "$p-cli" iperf3 -c 10.250.0.2 -t "$secs" -J ${PODNET_IPERF_ARGS:-} | jq '.end.sum_received.bits_per_second') || bps=""
    [[ "$bps" =~ ^[0-9.e+]+$ ]] && break
    echo "iperf3 failed (pair $2, $1), again" >&2; sleep 1; t0=$(cpu_ticks)
  done
  [[ "$bps" =~ ^[0-9.e+]+$ ]] || { echo "iperf3 failed three times" >&2; exit 1; }
  t1=$(cpu_ticks)
  echo "$1 $2 $bps $(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN{printf "%.2f", (b-a)/hz}') $load" | tee -a "$raw"
}

if [ -n "$baseline" ]; then
  write_config "$baseline"
  for _ in $(seq 150); do [ "$(probes_up)" -eq "$base_wanted" ] && break; sleep 0.2; done
  [ "$(probes_up)" -eq "$base_wanted" ] || { echo "baseline [$baseline] did not come up" >&2; exit 1; }
  sleep 2; base_programs=$(bpf_programs)
fi
# warm-up: the first attach verifies every program, the JIT compiles the agent's hot paths
set_mode with; set_mode without
echo "mode pair bits_per_second agent_cpu_seconds load1" > "$raw"
for i in $(seq "$pairs"); do
  if [ $((i % 2)) -eq 1 ]; then run without "$i"; run with "$i"; else run with "$i"; run without "$i"; fi
done

median() { sort -g | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
# quartile q (0.25, 0.75) by linear interpolation between order statistics
quantile() { sort -g | awk -v q="$1" '{v[NR]=$1} END{ h=(NR-1)*q+1; l=int(h); print v[l] + (h-l)*(v[l+1 <= NR ? l+1 : l]-v[l]) }'; }
ratios() { awk '$1=="without"{w[$2]=$3} $1=="with"{x[$2]=$3} END{for (i in x) if (w[i] > 0) print x[i]/w[i]}' "$raw"; }
without=$(awk '$1=="without"{print $3}' "$raw" | median)
with=$(awk '$1=="with"{print $3}' "$raw" | median)
ratio=$(ratios | median); q1=$(ratios | quantile 0.25); q3=$(ratios | quantile 0.75)
cpu_with=$(awk '$1=="with"{print $4}' "$raw" | median)
cpu_without=$(awk '$1=="without"{print $4}' "$raw" | median)
load=$(awk 'NR>1{print $5}' "$raw" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{print lo "-" hi}')
echo
echo "| pairs x seconds | median without (Gbit/s) | median with (Gbit/s) | with / without, median of pairs (quartiles) | throughput loss | agent CPU per run with / without (s) | load average |"
echo "|---|---|---|---|---|---|---|"
awk -v r="$pairs" -v s="$secs" -v a="$without" -v b="$with" -v m="$ratio" -v q1="$q1" -v q3="$q3" \
    -v cw="$cpu_with" -v co="$cpu_without" -v l="$load" 'BEGIN{
  printf "| %d x %d | %.2f | %.2f | %.3f (%.3f-%.3f) | %.1f %% | %.2f / %.2f | %s |\n", r, s, a/1e9, b/1e9, m, q1, q3, (1-m)*100, cw, co, l }'
echo "raw: $raw"
