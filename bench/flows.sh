#!/usr/bin/env bash
# Flow table under load: F distinct flows opened within 10 s from one network namespace, with a
# host-mode flow task (flowKey: 5tuple) on it, once with large bounds (every flow fits) and once with
# the defaults (the bounds hold and what does not fit is counted). Tells, per configuration: flows
# made, flows seen (distinct 5-tuples among the flow series, and podnet_flows), flows dropped and
# packets left untracked as podnet counts them, the agent's CPU time and memory (RSS, live heap), the
# kernel memory of the flow map (bpftool's memlock figure), and the scrape's time and size.
#
#   sudo bench/flows.sh [F]                 default F=200000: a quarter each TCP/IPv4, TCP/IPv6,
#                                           UDP/IPv4, UDP/IPv6
#
# Two namespaces <p>-cli and <p>-srv joined by a veth pair, IPv4 and IPv6 (nodad) addresses; the client
# side carries CLIENT_ADDRS addresses of each family so that 5-tuples never run out. The generator
# (bench/flows/FlowGen.java, run with the JDK's source launcher, one JVM in each namespace) binds every
# flow's client address and port explicitly, so no two flows share a 5-tuple and neither the ephemeral
# port range nor TIME-WAIT reuse is involved: TCP is a real handshake, 16 bytes, close (the server
# accepts, reads, closes); UDP one datagram from its own socket (the server receives and discards).
# Flows are paced evenly over GEN_SECONDS; the generator reports what it made and how long it took.
#
# Per configuration, a fresh agent (probes: [traffic], the task selecting <p>-cli only) and fresh
# namespaces: warm-up scrapes; then CPU ticks, VmRSS, live heap (jcmd GC.run + GC.heap_info) and the
# flow map's memlock; the generator; DRAIN_WAIT seconds (at least one flow drain); the same readings
# again; two timed scrapes (Prometheus's Accept header and gzip); VmHWM. The agent is not scraped while
# the flows are made: its drain runs on its own clock. probeDeadline is 60 s so that the scrape shows
# every flow series however long the traffic probe takes (its own duration is reported against the
# default 5 s deadline).
#
# Environment (all optional):
#   FLOWS=200000                the number of flows (or the first argument); rounded down to a multiple of 4
#   GEN_SECONDS=10 GEN_THREADS=8  the time the flows are paced over; client threads
#   CLIENT_ADDRS=16             client addresses per family (each gives ~55,000 client ports per kind)
#   CONFIGS="large defaults"    which configurations to run: large (MAX_FLOWS, MAX_FLOW_SERIES) and/or
#                               defaults (no probeSettings.traffic: maxFlows 65536, maxFlowSeries 50000)
#   MAX_FLOWS=262144 MAX_FLOW_SERIES=1000000   the large configuration's bounds
#   DRAIN_WAIT=5                seconds between the generator's end and the readings (drain every 2 s)
#   PROBE_DEADLINE=60s          the agent's probeDeadline
#   PODNET_JAVA_OPTS=...        extra JVM flags for the agent (e.g. -Xmx512m: the default heap is 48 MiB)
#   KEEP_BODY=0                 1: keep the first scrape body of each configuration in bench/results
#   ACCEPT=...                  the scrape's Accept header; default: Prometheus 2.x's (OpenMetrics first)
#
# Output: a Markdown table on stdout; raw readings in bench/results/flows-<time>.txt, agent and
# generator logs beside it (flows-<time>-<config>-*.log). Namespaces, the agent and the generator are
# removed on exit, also on failure or Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FLOWS=${1:-${FLOWS:-200000}}
FLOWS=$((FLOWS / 4 * 4))
GEN_SECONDS=${GEN_SECONDS:-10}
GEN_THREADS=${GEN_THREADS:-8}
CLIENT_ADDRS=${CLIENT_ADDRS:-16}
CONFIGS=${CONFIGS:-large defaults}
MAX_FLOWS=${MAX_FLOWS:-262144}
MAX_FLOW_SERIES=${MAX_FLOW_SERIES:-1000000}
DRAIN_WAIT=${DRAIN_WAIT:-5}
PROBE_DEADLINE=${PROBE_DEADLINE:-60s}
KEEP_BODY=${KEEP_BODY:-0}
ACCEPT=${ACCEPT:-application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1}
[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces, BPF)" >&2; exit 1; }
for tool in bpftool jq curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-deps all)" >&2; exit 1; }
done
per_kind=$((FLOWS / 4))
(( per_kind <= CLIENT_ADDRS * 55000 )) || { echo "$per_kind flows per kind need CLIENT_ADDRS > $CLIENT_ADDRS" >&2; exit 1; }

JAVA_HOME=$("$root/scripts/find-jdk"); export JAVA_HOME
java=$JAVA_HOME/bin/java
gen=$root/bench/flows/FlowGen.java
out="$root/bench/results"; mkdir -p "$out"
stamp=$(date +%Y%m%d-%H%M%S)
raw="$out/flows-$stamp.txt"
work=$(mktemp -d)
p="pnflow$$"
cli="" srv="" agent_pid="" server_pid="" client_pid=""
tcp_ports=7001,7002,7003,7004
udp_ports=7101,7102,7103,7104

log() { echo "flows: $*" >&2; }
stop() { local pid; for pid in "$@"; do [ -n "$pid" ] || continue; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
teardown_namespaces() {
  stop "$client_pid" "$server_pid"; client_pid="" server_pid=""
  local ns
  for ns in "$cli" "$srv"; do
    [ -n "$ns" ] || continue
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  cli="" srv=""
}
cleanup() {
  stop "$agent_pid"; agent_pid=""
  teardown_namespaces
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

clients4="" clients6=""
# Fresh namespaces for each configuration: the previous one's TIME-WAIT sockets hold the same tuples.
setup_namespaces() {
  cli="$p-$1-cli" srv="$p-$1-srv"
  ip netns add "$cli"; ip netns add "$srv"
  ip link add "${p}c" netns "$cli" type veth peer name "${p}s" netns "$srv"
  ip -n "$cli" link set lo up; ip -n "$srv" link set lo up
  ip -n "$srv" addr add 10.251.0.1/16 dev "${p}s"
  ip -n "$srv" addr add fd00:251::1/64 dev "${p}s" nodad
  clients4="" clients6=""
  local i
  for ((i = 1; i <= CLIENT_ADDRS; i++)); do
    ip -n "$cli" addr add "10.251.$((1 + i / 250)).$((i % 250 + 1))/16" dev "${p}c"
    ip -n "$cli" addr add "fd00:251::1:$i/64" dev "${p}c" nodad
    clients4+="${clients4:+,}10.251.$((1 + i / 250)).$((i % 250 + 1))"
    clients6+="${clients6:+,}fd00:251::1:$i"
  done
  ip -n "$cli" link set "${p}c" up; ip -n "$srv" link set "${p}s" up
  # A listen backlog as large as a burst of connections, so no SYN waits for a retransmission.
  ip netns exec "$srv" sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
  ip netns exec "$srv" "$java" "$gen" server addrs=10.251.0.1,fd00:251::1 tcp=$tcp_ports udp=$udp_ports \
    > "$work/server.log" 2>&1 &
  server_pid=$!
  local n
  for ((n = 0; n < 300; n++)); do grep -q '^ready' "$work/server.log" && return 0; sleep 0.1; done
  cat "$work/server.log" >&2; log "the generator's server did not start"; exit 1
}

write_config() { # configuration
  {
    echo "listen: 127.0.0.1:0"
    echo "minInterval: 0s"
    echo "probeDeadline: $PROBE_DEADLINE"
    echo "kubernetes: false"
    echo "probes: [traffic]"
    [ "$1" = large ] && echo "probeSettings: {traffic: {maxFlows: $MAX_FLOWS, maxFlowSeries: $MAX_FLOW_SERIES}}"
    cat <<EOF
tasks:
  - name: bench
    namespaces: "$cli"
    spec:
      flowKey: 5tuple
      monitor:
        tcp: {tcpSend: {aggregateType: flow}, tcpReceive: {aggregateType: flow}}
        udp: {udpSend: {aggregateType: flow}, udpReceive: {aggregateType: flow}}
EOF
  } > "$work/podnet.yaml"
}

port=""
start_agent() { # log
  : > "$1"
  "$root/bin/podnet" run --config "$work/podnet.yaml" >> "$1" 2>&1 &
  agent_pid=$! port=""
  local i
  for ((i = 0; i < 600; i++)); do
    port=$(sed -n 's|^podnet: serving http://[^:]*:\([0-9]*\)/metrics.*|\1|p' "$1")
    [ -n "$port" ] && return 0
    alive || { cat "$1" >&2; log "the agent exited during startup"; exit 1; }
    sleep 0.1
  done
  log "the agent did not start within 60 s"; exit 1
}
alive() { [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; }
metrics() { curl -sf --max-time 300 "http://127.0.0.1:$port/metrics"; }
# Scrape as Prometheus does; prints "seconds gzip-bytes" and keeps the (decompressed) body in $1.
scrape() { curl -sS --compressed --max-time 300 -H "Accept: $ACCEPT" -o "$1" -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$port/metrics"; }
# The value of the first series of metric $2 (a name, optionally with a label matcher) in body $1.
value() { awk -v m="$2" 'index($0, m) == 1 && substr($0, length(m) + 1, 1) ~ /[ {,}]/ { print $NF; exit }' "$1"; }
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$agent_pid/stat"; }
status_kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$agent_pid/status"; }
hz=$(getconf CLK_TCK)
# Bytes of the agent's flow map as the kernel accounts them (for a map without preallocation: the hash
# buckets plus each element in use), found through the map ids of the agent's file descriptors.
flow_map() { # field: bytes_memlock | max_entries | id
  local id
  for id in $(grep -h '^map_id:' /proc/"$agent_pid"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un); do
    bpftool map show id "$id" --json 2>/dev/null | jq -r --arg f "$1" 'select(.name == "flows") | .[$f]'
  done | head -1
}
# Live heap after a full collection, KiB (jcmd from the agent's JDK): the least of three, 0.7 s apart,
# since a collection during a drain also finds the drain's transient copy of the kernel map alive.
live_heap() {
  local i
  for i in 1 2 3; do
    [ "$i" = 1 ] || sleep 0.7
    "$JAVA_HOME/bin/jcmd" "$agent_pid" GC.run >/dev/null 2>&1 || { echo nan; return; }
    "$JAVA_HOME/bin/jcmd" "$agent_pid" GC.heap_info 2>/dev/null \
      | awk '/total [0-9]+K, used [0-9]+K/ { for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); s += v } } END { print s + 0 }'
  done | sort -n | head -1
}

# Distinct flows among the flow series of task "bench", per kind: the pod's side of a series is its
# source when it transmits and its destination when it receives.
distinct_flows() { # body
  awk '
    /^podnet_flow_(tcp|udp)_(receive|transmit)_packets_total\{/ {
      split($0, parts, "_"); proto = parts[3]; dir = parts[4]
      lab = $0; sub(/^[^{]*\{/, "", lab); sub(/\}[^}]*$/, "", lab)
      n = split(lab, kv, "\",")
      delete l
      for (i = 1; i <= n; i++) { eq = index(kv[i], "="); v = substr(kv[i], eq + 2); sub(/"$/, "", v); l[substr(kv[i], 1, eq - 1)] = v }
      if (l["task"] != "bench") next
      fam = l["ipfamily"] == "ipv4" ? "4" : "6"
      if (dir == "transmit") key = l["srcip"] " " l["srcport"] " " l["dstip"] " " l["dstport"]
      else key = l["dstip"] " " l["dstport"] " " l["srcip"] " " l["srcport"]
      if (!((proto fam, key) in seen)) { seen[proto fam, key] = 1; count[proto fam]++ }
    }
    END { printf "seen_tcp4=%d seen_tcp6=%d seen_udp4=%d seen_udp6=%d\n", count["tcp4"], count["tcp6"], count["udp4"], count["udp6"] }
  ' "$1"
}

declare -A R   # readings of the current configuration
record() { R[$1]=$2; echo "$cfg $1 $2" >> "$raw"; }

run_config() {
  cfg=$1
  local agent_log="$out/flows-$stamp-$cfg-agent.log" gen_log="$out/flows-$stamp-$cfg-generator.log"
  R=()
  log "$cfg: namespaces, agent"
  setup_namespaces "$cfg"
  write_config "$cfg"
  sed 's/^/  /' "$work/podnet.yaml" | sed "s/^/$cfg config /" >> "$raw"
  start_agent "$agent_log"
  local i
  # Scraped to a file: grep -q would stop reading early and fail curl (and the pipeline) with SIGPIPE.
  for ((i = 0; i < 300; i++)); do
    metrics > "$work/m.txt" 2>/dev/null || true
    grep -q '^podnet_flow_namespaces 1' "$work/m.txt" && break
    alive || { tail -20 "$agent_log" >&2; log "the agent exited"; exit 1; }
    sleep 0.2
  done
  grep -q '^podnet_flow_namespaces 1' "$work/m.txt" || { log "the flow task did not select $cli"; exit 1; }
  for i in 1 2 3; do metrics >/dev/null; done   # warm-up: the JIT compiles the scrape path
  sleep 3
  local body="$work/body-$cfg.txt"
  record live_heap_before_kib "$(live_heap)"
  record rss_before_kib "$(status_kib VmRSS)"
  record memlock_before "$(flow_map bytes_memlock)"
  record map_max_entries "$(flow_map max_entries)"
  record load1_before "$(cut -d' ' -f1 /proc/loadavg)"
  local t0 t1 t2 t3
  t0=$(cpu_ticks)

  log "$cfg: $FLOWS flows in $GEN_SECONDS s"
  ip netns exec "$cli" "$java" "$gen" client flows="$FLOWS" seconds="$GEN_SECONDS" threads="$GEN_THREADS" \
    server4=10.251.0.1 server6=fd00:251::1 clients4="$clients4" clients6="$clients6" \
    tcp=$tcp_ports udp=$udp_ports > "$gen_log" 2>&1 &
  client_pid=$!
  wait "$client_pid" || { cat "$gen_log" >&2; log "the generator failed"; exit 1; }
  client_pid=""
  local made
  made=$(grep '^made_' "$gen_log")
  for kv in $made; do record "${kv%%=*}" "${kv#*=}"; done
  sleep "$DRAIN_WAIT"
  if ! alive; then
    record agent exited
    tail -5 "$agent_log" | sed "s/^/$cfg agent_log /" >> "$raw"
    log "$cfg: the agent exited during the generation or the drain (log: $agent_log)"
    agent_pid=""; teardown_namespaces; return 0
  fi
  t1=$(cpu_ticks)
  record cpu_generation_s "$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')"
  record rss_after_kib "$(status_kib VmRSS)"
  record memlock_after "$(flow_map bytes_memlock)"
  record load1_after "$(cut -d' ' -f1 /proc/loadavg)"
  record live_heap_after_kib "$(live_heap)"

  record hwm_after_flows_kib "$(status_kib VmHWM)"

  # Two scrapes, each timed; the first one's body is read for the flow series and podnet's counters.
  log "$cfg: scrapes"
  local s
  t2=$(cpu_ticks)
  s=$(scrape "$body") || s=failed
  sleep 1   # an agent that runs out of heap exits a moment after the failed response
  if [ "$s" = failed ] || ! alive; then
    record agent exited_on_scrape1
    tail -5 "$agent_log" | sed "s/^/$cfg agent_log /" >> "$raw"
    log "$cfg: the agent exited during the first scrape (log: $agent_log)"
    agent_pid=""; teardown_namespaces; return 0
  fi
  t3=$(cpu_ticks)
  record cpu_scrape1_s "$(awk -v a="$t2" -v b="$t3" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')"
  record scrape1_s "${s% *}"; record scrape1_gzip_bytes "${s#* }"
  record scrape_bytes "$(wc -c < "$body")"
  record scrape_lines "$(grep -vc '^#' "$body" || true)"
  record hwm_after_scrape1_kib "$(status_kib VmHWM)"
  for m in podnet_flows podnet_flow_series podnet_flow_namespaces podnet_flow_max_entries podnet_flow_max_series \
           podnet_flows_dropped_total podnet_flow_packets_untracked_total podnet_flows_evicted_total \
           podnet_flow_drain_errors_total 'podnet_probe_duration_seconds{probe="traffic"' podnet_collection_duration_seconds; do
    local key=${m%%\{*}; [ "$m" != "$key" ] && key=traffic_probe_duration_seconds
    record "$key" "$(value "$body" "$m")"
  done
  record dropped_series_limit "$(value "$body" 'podnet_flows_dropped_total{reason="series_limit"')"
  record dropped_memory_limit "$(value "$body" 'podnet_flows_dropped_total{reason="memory_limit"')"
  for kv in $(distinct_flows "$body"); do record "${kv%%=*}" "${kv#*=}"; done
  s=$(scrape "$work/body2.txt") || s=failed
  sleep 1
  if [ "$s" = failed ] || ! alive; then
    record agent exited_on_scrape2
    tail -5 "$agent_log" | sed "s/^/$cfg agent_log /" >> "$raw"
    log "$cfg: the agent exited during the second scrape (log: $agent_log)"
    agent_pid=""
  else
    record scrape2_s "${s% *}"; record scrape2_gzip_bytes "${s#* }"
    record traffic_probe_duration_seconds_2 "$(value "$work/body2.txt" 'podnet_probe_duration_seconds{probe="traffic"')"
    record hwm_kib "$(status_kib VmHWM)"
    record rss_end_kib "$(status_kib VmRSS)"
  fi
  [ "$KEEP_BODY" = 1 ] && cp "$body" "$out/flows-$stamp-$cfg-body.txt"
  rm -f "$body" "$work/body2.txt"
  stop "$agent_pid"; agent_pid=""
  stop "$server_pid"; server_pid=""
  for kv in $(sed -n 's/^server //p' "$work/server.log"); do record "server_${kv%%=*}" "${kv#*=}"; done
  teardown_namespaces
}

{
  echo "# bench/flows.sh $FLOWS: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src bin pom.xml || echo '+dirty'), $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "# kernel $(uname -r), $("$java" -version 2>&1 | head -1), $(nproc) CPUs, GEN_SECONDS=$GEN_SECONDS GEN_THREADS=$GEN_THREADS CLIENT_ADDRS=$CLIENT_ADDRS PODNET_JAVA_OPTS=${PODNET_JAVA_OPTS:-}"
} > "$raw"
"$root/bin/podnet" probes >/dev/null   # builds the jar once, before anything is measured
"$java" -version >/dev/null 2>&1

declare -A T   # the table, one column per configuration
rows=()
for c in $CONFIGS; do
  case "$c" in large | defaults) ;; *) log "unknown configuration $c (large, defaults)"; exit 2 ;; esac
  run_config "$c"
  for k in "${!R[@]}"; do T[$c,$k]=${R[$k]}; done
done

# --- the table ----------------------------------------------------------------------------------------
get() { local v=${T[$1,$2]:-}; echo "${v:--}"; }
calc() { awk "BEGIN { $1 }" 2>/dev/null || echo "-"; }
mib() { calc "printf \"%.1f\", $1 / 1024"; }
per() { calc "if ($3 > 0) printf \"%.0f\", ($2 - $1) * $4 / $3; else print \"-\""; }   # (after - before) * unit / n
echo
echo "| configuration | made: TCP v4 / v6, UDP v4 / v6 | seen in flow series | podnet_flows | dropped: series_limit / memory_limit | untracked packets (kernel_map_full) | made - seen - dropped | agent CPU s: flows / 1st scrape | agent RSS MiB: before / after flows / peak | live heap MiB: before / after (bytes per flow) | flow map memlock MiB: before / after (bytes per flow) | scrape s: 1st / 2nd (MiB gzip, MiB, lines) | traffic probe s | note |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for c in $CONFIGS; do
  made=$(calc "print $(get "$c" made_tcp4) + $(get "$c" made_tcp6) + $(get "$c" made_udp4) + $(get "$c" made_udp6)")
  seen=$(calc "print $(get "$c" seen_tcp4) + $(get "$c" seen_tcp6) + $(get "$c" seen_udp4) + $(get "$c" seen_udp6)")
  flows=$(get "$c" podnet_flows)
  note=""
  [ "$(get "$c" agent)" != - ] && note="agent $(get "$c" agent) (out of heap: see the raw file)"
  [ "$(get "$c" failed_tcp4)$(get "$c" failed_tcp6)$(get "$c" failed_udp4)$(get "$c" failed_udp6)" = 0000 ] \
    || note+=" generator failures: $(get "$c" failed_tcp4) / $(get "$c" failed_tcp6) / $(get "$c" failed_udp4) / $(get "$c" failed_udp6)"
  note+=" generated in $(get "$c" elapsed_s) s"
  printf '| %s | %s / %s, %s / %s | %s (%s / %s, %s / %s) | %s | %s | %s | %s | %s / %s | %s / %s / %s | %s / %s (%s) | %s / %s (%s) | %s / %s (%s, %s, %s) | %s | %s |\n' \
    "$c" "$(get "$c" made_tcp4)" "$(get "$c" made_tcp6)" "$(get "$c" made_udp4)" "$(get "$c" made_udp6)" \
    "$seen" "$(get "$c" seen_tcp4)" "$(get "$c" seen_tcp6)" "$(get "$c" seen_udp4)" "$(get "$c" seen_udp6)" \
    "$flows" "$(get "$c" dropped_series_limit) / $(get "$c" dropped_memory_limit)" "$(get "$c" podnet_flow_packets_untracked_total)" \
    "$(calc "printf \"%d\", $made - $seen - $(get "$c" dropped_series_limit) - $(get "$c" dropped_memory_limit)")" \
    "$(get "$c" cpu_generation_s)" "$(get "$c" cpu_scrape1_s)" \
    "$(mib "$(get "$c" rss_before_kib)")" "$(mib "$(get "$c" rss_after_kib)")" "$(mib "$(get "$c" hwm_kib)")" \
    "$(mib "$(get "$c" live_heap_before_kib)")" "$(mib "$(get "$c" live_heap_after_kib)")" \
    "$(per "$(get "$c" live_heap_before_kib)" "$(get "$c" live_heap_after_kib)" "$flows" 1024)" \
    "$(calc "printf \"%.2f\", $(get "$c" memlock_before) / 1048576")" "$(calc "printf \"%.2f\", $(get "$c" memlock_after) / 1048576")" \
    "$(per "$(get "$c" memlock_before)" "$(get "$c" memlock_after)" "$flows" 1)" \
    "$(get "$c" scrape1_s)" "$(get "$c" scrape2_s)" "$(calc "printf \"%.1f\", $(get "$c" scrape1_gzip_bytes) / 1048576")" \
    "$(calc "printf \"%.1f\", $(get "$c" scrape_bytes) / 1048576")" "$(get "$c" scrape_lines)" \
    "$(get "$c" traffic_probe_duration_seconds)" "${note# }"
done
echo
echo "raw: $raw"
