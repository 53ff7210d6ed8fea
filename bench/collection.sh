#!/usr/bin/env bash
# Collection benchmark: how long one podnet collection takes and how much memory the agent holds with
# N pod-like network namespaces, side by side with node_exporter scraping the host and with the shell
# loops that read per-pod socket stats without an agent (nsenter + ss -s, nsenter + cat of sockstat/snmp).
#
#   sudo bench/collection.sh [N...]          default N list: 10 100 300 1000
#
# Each N gets N namespaces named <prefix>-<i> (a random prefix per run), each with lo up, eth0 (one end
# of a veth, 10.230.x.y/16, default route) and one `sleep infinity` inside. The other veth ends sit on
# one bridge in a hub namespace <prefix>-hub, which stands in for a node's root namespace: like a real
# node's, it ends up with one veth per pod. Namespaces grow from one N to the next; a fresh agent and a
# fresh node_exporter are started for every N, so RSS and its high-water mark belong to that N.
#
# Per N: WARMUP scrapes, then K rounds; each round scrapes podnet, node_exporter (host namespace),
# node_exporter inside the hub namespace, and in the first BASE_K rounds times the baseline loops.
# Interleaving keeps the comparison fair on a noisy machine: all sides see the same load.
#
# Environment (all optional):
#   K=15 WARMUP=5 BASE_K=3        measured rounds, warm-up scrapes, rounds that also time the baselines
#   PROBES="netdev snmp ..."      probes to run; empty (default): the agent's default-on probes
#   BASELINE_MAX_N=1000           skip the nsenter loops above this N (they fork 1-2 processes per namespace)
#   BASE_FILES="sockstat snmp"    the files the baseline loops read (a per-pod reader without an agent)
#   PODNET_JAVA_OPTS=...          extra JVM flags for the agent, e.g. -XX:StartFlightRecording=filename=/tmp/x.jfr
#   KEEP_BODIES=0                 1: keep every scrape body under the results directory
#   AGENT_REPORT_CMD=...          run with the agent pid as $1 after the measured rounds, output kept, e.g.
#                                 PODNET_JAVA_OPTS=-XX:NativeMemoryTracking=summary \
#                                 AGENT_REPORT_CMD='jcmd "$1" VM.native_memory summary'
#   PODNET_CMD=bin/podnet         the agent launcher
#   COMPARE_CMD=...               more agent launchers, separated by ';' (e.g. an older build, other JVM
#                                 flags), run and scraped in the same rounds; rows "N (compare)" or
#                                 "N (compareI)". A launcher is split on spaces: "env A=1 /path/podnet" works.
#   ACCEPT=...                    the scrape's Accept header; default: Prometheus 2.x's (OpenMetrics first)
# Output: a Markdown table on stdout; raw numbers under bench/results/<timestamp>/ (gitignored).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
K=${K:-15}
WARMUP=${WARMUP:-5}
BASE_K=${BASE_K:-3}
PROBES=${PROBES:-}
BASELINE_MAX_N=${BASELINE_MAX_N:-1000}
BASE_FILES=${BASE_FILES:-sockstat snmp}
KEEP_BODIES=${KEEP_BODIES:-0}
AGENT_REPORT_CMD=${AGENT_REPORT_CMD:-}
PODNET_CMD=${PODNET_CMD:-$root/bin/podnet}
COMPARE_CMD=${COMPARE_CMD:-}
# What Prometheus 2.x sends: podnet answers in OpenMetrics, node_exporter (no OpenMetrics by default) in text 0.0.4.
ACCEPT=${ACCEPT:-application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1}
NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
NE_COLLECTORS=(--collector.disable-defaults --collector.netstat --collector.sockstat --collector.netdev
  --collector.softnet --collector.conntrack)

if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(10 100 300 1000); fi
mapfile -t sizes < <(printf '%s\n' "${sizes[@]}" | sort -n -u)
for n in "${sizes[@]}"; do
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -le 1020 ] || { echo "bench: N must be 0..1020 (one bridge holds 1024 ports), got '$n'" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (it creates network namespaces)" >&2; exit 2; }
for tool in ip nsenter ss curl awk sort "$NODE_EXPORTER"; do
  command -v "$tool" >/dev/null || { echo "bench: missing $tool (scripts/install-deps all)" >&2; exit 2; }
done

prefix=pb$(printf '%04x' $((RANDOM * 2 + RANDOM % 2)))
hub=$prefix-hub
work=$(mktemp -d /tmp/podnet-bench.XXXXXX)
results=$root/bench/results/$(date +%Y%m%dT%H%M%S)
mkdir -p "$results"
names=()        # pod namespaces created so far, in order
sleepers=()     # pid of the process inside each
tags=(podnet) cmds=("$PODNET_CMD")     # the agents under test; COMPARE_CMD adds a second one
if [ -n "$COMPARE_CMD" ]; then
  IFS=';' read -r -a compare_cmds <<< "$COMPARE_CMD"
  for c in "${!compare_cmds[@]}"; do
    if [ ${#compare_cmds[@]} -eq 1 ]; then tags+=(compare); else tags+=("compare$((c + 1))"); fi
    cmds+=("${compare_cmds[$c]}")
  done
fi
pids=() ne_pid="" ne_hub_pid="" agent_pid=""

cleanup() {
  set +e
  trap - EXIT INT TERM
  for pid in "${pids[@]}" $agent_pid $ne_pid $ne_hub_pid; do kill "$pid" 2>/dev/null; done
  [ ${#sleepers[@]} -gt 0 ] && kill "${sleepers[@]}" 2>/dev/null
  for pid in "${pids[@]}" $agent_pid $ne_pid $ne_hub_pid; do wait "$pid" 2>/dev/null; done
  wait 2>/dev/null
  # Deleting a namespace takes its veth end with it, and the hub takes the bridge.
  { [ ${#names[@]} -gt 0 ] && printf 'netns del %s\n' "${names[@]}"; printf 'netns del %s\n' "$hub"; } \
    | ip -force -b - 2>/dev/null
  left=$(ip netns list | grep -c "^$prefix-")
  [ "$left" -eq 0 ] || echo "bench: $left namespaces $prefix-* could not be deleted" >&2
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

# --- namespaces -------------------------------------------------------------------------------------

make_hub() {
  ip netns add "$hub"
  ip -n "$hub" -b - <<EOF
link set lo up
link add br0 type bridge
addr add 10.230.255.254/16 dev br0
link set br0 up
EOF
}

# Adds namespaces until there are $1: batched ip calls, one per pod only for its own addresses.
grow_to() {
  local want=$1 from=$(( ${#names[@]} + 1 )) i ns
  [ "$want" -ge "$from" ] || return 0
  local t0=$EPOCHREALTIME
  {
    for ((i = from; i <= want; i++)); do echo "netns add $prefix-$i"; done
    for ((i = from; i <= want; i++)); do
      echo "link add eth0 netns $prefix-$i type veth peer name ${prefix}v$i netns $hub"
    done
  } | ip -b -
  for ((i = from; i <= want; i++)); do echo "link set ${prefix}v$i master br0 up"; done | ip -n "$hub" -b -
  for ((i = from; i <= want; i++)); do
    ns=$prefix-$i
    ip -n "$ns" -b - <<EOF
link set lo up
link set eth0 up
addr add 10.230.$((i / 256)).$((i % 256))/16 dev eth0
route add default via 10.230.255.254
EOF
    ip netns exec "$ns" sleep infinity </dev/null >/dev/null 2>&1 &
    sleepers+=($!)
    names+=("$ns")
  done
  log "created namespaces $from..$want in $(elapsed "$t0") ms"
  # The network really works: the last pod reaches the hub (no ping here; a refused TCP connect proves
  # the round trip as well).
  local err
  err=$(timeout 5 nsenter --net="/run/netns/$prefix-$want" bash -c ': </dev/tcp/10.230.255.254/9' 2>&1 || true)
  [[ $err == *refused* ]] || log "warning: $prefix-$want cannot reach the hub: ${err:-timeout}"
}

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }

# --- measuring --------------------------------------------------------------------------------------

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
  if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Median of column $2 of file $1, times $3 (for unit changes).
col_median() { awk -v c="$2" 'NR > 1 { print $c }' "$1" | median | awk -v f="${3:-1}" '{ printf "%.2f", $1 * f }'; }
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
status_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    [ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return; }
  done
}

# Scrape like Prometheus does (gzip), print "seconds bytes" and keep the body in $2.
scrape() {
  local url=$1 body=$2; shift 2
  "$@" curl -sS --compressed --max-time 120 -H "Accept: $ACCEPT" -o "$body" -w '%{time_total} %{size_download}\n' "$url"
}

wait_http() {
  local url=$1 pid=$2 what=$3 i; shift 3
  for ((i = 0; i < 600; i++)); do
    "$@" curl -sf -o /dev/null --max-time 2 "$url" && return 0
    kill -0 "$pid" 2>/dev/null || { log "$what exited during startup"; return 1; }
    sleep 0.1
  done
  log "$what did not answer on $url within 60 s"; return 1
}

# Starts agent $2 (a launcher command) for size $1; sets agent_pid and agent_port.
start_agent() {
  local n=$1 cmd=$2 tag=$3 config=$work/podnet.yaml log=$results/$3-$1.log
  {
    echo "listen: 127.0.0.1:0"
    echo "minInterval: 0s"       # every scrape is a full collection
    echo "probeDeadline: 60s"    # measure the whole collection instead of cutting it at the deadline
    echo "kubernetes: false"
    if [ -n "$PROBES" ]; then echo "probes: [$(echo $PROBES | sed 's/ /, /g')]"; fi
  } > "$config"
  : > "$log"   # exists before the background job opens it, so the sed below never misses it
  $cmd run --config "$config" >> "$log" 2>&1 &
  agent_pid=$! agent_port=""
  local i
  for ((i = 0; i < 600; i++)); do
    agent_port=$(sed -n 's|^podnet: serving http://[^:]*:\([0-9]*\)/metrics.*|\1|p' "$log")
    [ -n "$agent_port" ] && return 0
    kill -0 "$agent_pid" 2>/dev/null || {
      local rc=0; wait "$agent_pid" || rc=$?
      cat "$log" >&2; log "$tag agent exited during startup (exit code $rc)"; exit 1
    }
    sleep 0.1
  done
  log "$tag agent did not start within 60 s"; exit 1
}

start_node_exporters() {
  ne_port=$(free_port)
  "$NODE_EXPORTER" "${NE_COLLECTORS[@]}" --web.listen-address="127.0.0.1:$ne_port" > "$results/node_exporter-$1.log" 2>&1 &
  ne_pid=$!
  # The same exporter inside the hub, which has one veth per pod as a node's root namespace does.
  ne_hub_port=$(free_port)
  ip netns exec "$hub" "$NODE_EXPORTER" "${NE_COLLECTORS[@]}" --web.listen-address="127.0.0.1:$ne_hub_port" \
    > "$results/node_exporter-hub-$1.log" 2>&1 &
  ne_hub_pid=$!
  wait_http "http://127.0.0.1:$ne_port/metrics" "$ne_pid" node_exporter
  wait_http "http://127.0.0.1:$ne_hub_port/metrics" "$ne_hub_pid" "node_exporter (hub)" nsenter --net="/run/netns/$hub"
}

stop() {
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

# The shell ways of reading per-pod socket stats without an agent, timed over all n namespaces.
baseline_ss() { local ns; for ns in "${names[@]:0:$1}"; do nsenter --net="/run/netns/$ns" ss -s >/dev/null; done; }
baseline_cat() {
  local ns files=()
  for f in $BASE_FILES; do files+=("/proc/net/$f"); done
  for ns in "${names[@]:0:$1}"; do nsenter --net="/run/netns/$ns" cat "${files[@]}" >/dev/null; done
}
# The floor: one process reads the same files of every namespace through /proc/<pid>/net, no fork per pod.
baseline_read() {
  local pid files=()
  for pid in "${sleepers[@]:0:$1}"; do for f in $BASE_FILES; do files+=("/proc/$pid/net/$f"); done; done
  [ ${#files[@]} -eq 0 ] || cat "${files[@]}" >/dev/null
}
timed() { local t0=$EPOCHREALTIME; "$@"; elapsed "$t0"; }

metric() { awk -v m="$1" '$1 == m { print $2; exit }' "$2"; }

# One agent's scrape: a row of <tag>-<n>.tsv and its probes' durations.
scrape_agent() {
  local i=$1 n=$2 k=$3 body=$work/body tag=${tags[$1]} p
  p=$(scrape "http://127.0.0.1:${ports[$i]}/metrics" "$body")
  cp "$body" "$work/$tag-last.prom"
  [ "$KEEP_BODIES" = 1 ] && cp "$body" "$results/$tag-$n-$k.prom"
  echo -e "$k\t$(metric podnet_collection_duration_seconds "$body")\t${p% *}\t${p#* }\t$(wc -l < "$body")\t$(metric podnet_netns_discovered "$body")" \
    >> "$results/$tag-$n.tsv"
  sed -n 's/^podnet_probe_duration_seconds{probe="\([^"]*\)".* \([0-9.eE+-]*\)$/\1\t\2/p' "$body" \
    | while IFS=$'\t' read -r probe d; do echo -e "$k\t$probe\t$d"; done >> "$results/probes-$tag-$n.tsv"
}

# One Markdown row for agent i at size n; node_exporter and baseline columns are shared.
agent_row() {
  local i=$1 n=$2 tag=${tags[$1]} pf=$results/${tags[$1]}-$2.tsv
  local coll scr seen per ratio cpu_ms label=$n late probe
  coll=$(col_median "$pf" 2 1000); scr=$(col_median "$pf" 3 1000); seen=$(col_median "$pf" 6)
  per=$(awk -v c="$coll" -v s="$seen" 'BEGIN { printf "%.0f", (s > 0 ? c * 1000 / s : 0) }')
  ratio=$(awk -v a="$scr" -v b="$ne_ms" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
  cpu_ms=$(awk -v t="${ticks[$i]}" -v h="$hz" -v k="$K" 'BEGIN { printf "%.1f", t * 1000 / h / k }')
  [ "$i" -gt 0 ] && label="$n ($tag)"
  printf '| %s | %.0f | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$label" "$seen" "$coll" "$scr" "$per" "$cpu_ms" "$(mib "${rss[$i]}")" "$(mib "${hwm[$i]}")" "$ne_ms" "$nh_ms" \
    "$ratio" "$ss_ms" "$cat_ms" "$read_ms" "$(mib "$ne_rss")" | tee -a "$results/table.md"
  for probe in $(awk -F'\t' 'NR > 1 { print $2 }' "$results/probes-$tag-$n.tsv" | sort -u); do
    echo -e "$n\t$tag\t$probe\t$(awk -F'\t' -v p="$probe" '$2 == p { print $3 }' "$results/probes-$tag-$n.tsv" \
      | median | awk '{ printf "%.2f", $1 * 1000 }')"
  done >> "$results/probe-medians.tsv"
  late=$(awk '/^podnet_probe_late_total/ { s += $2 } END { print s + 0 }' "$work/$tag-last.prom")
  log "N=$n $tag: $(col_median "$pf" 5) lines per scrape, $late late probe collections"
}

run_size() {
  local n=$1 k i body=$work/body
  grow_to "$n"
  pids=() ports=() cpu0=() ticks=() rss=() hwm=()
  for i in "${!tags[@]}"; do
    start_agent "$n" "${cmds[$i]}" "${tags[$i]}"
    pids[i]=$agent_pid ports[i]=$agent_port agent_pid=""
  done
  start_node_exporters "$n"
  local ne_url=http://127.0.0.1:$ne_port/metrics hub_url=http://127.0.0.1:$ne_hub_port/metrics
  for ((k = 0; k < WARMUP; k++)); do
    for i in "${!tags[@]}"; do scrape "http://127.0.0.1:${ports[$i]}/metrics" "$body" >/dev/null; done
    scrape "$ne_url" "$body" >/dev/null
    scrape "$hub_url" "$body" nsenter --net="/run/netns/$hub" >/dev/null
  done

  local nf=$results/node_exporter-$n.tsv bf=$results/baselines-$n.tsv
  for i in "${!tags[@]}"; do
    echo -e "round\tcollection_s\tscrape_s\tgzip_bytes\tlines\tnetns_count" > "$results/${tags[$i]}-$n.tsv"
    echo -e "round\tprobe\tduration_s" > "$results/probes-${tags[$i]}-$n.tsv"
  done
  echo -e "round\thost_scrape_s\thost_bytes\thub_scrape_s\thub_bytes" > "$nf"
  echo -e "round\tnsenter_ss_ms\tnsenter_cat_ms\tone_cat_ms" > "$bf"
  local base=1
  if [ "$n" -gt "$BASELINE_MAX_N" ]; then base=0; log "N=$n: nsenter loops skipped (BASELINE_MAX_N=$BASELINE_MAX_N)"; fi
  for i in "${!tags[@]}"; do cpu0[i]=$(cpu_ticks "${pids[$i]}"); done
  local ne_cpu0; ne_cpu0=$(cpu_ticks "$ne_pid")
  # Interleaved: every round scrapes each side once, so all sides share the machine's load.
  for ((k = 1; k <= K; k++)); do
    local ne nh
    for i in "${!tags[@]}"; do scrape_agent "$i" "$n" "$k"; done
    ne=$(scrape "$ne_url" "$body")
    nh=$(scrape "$hub_url" "$body" nsenter --net="/run/netns/$hub")
    echo -e "$k\t${ne% *}\t${ne#* }\t${nh% *}\t${nh#* }" >> "$nf"
    if [ "$base" = 1 ] && [ "$k" -le "$BASE_K" ]; then
      echo -e "$k\t$(timed baseline_ss "$n")\t$(timed baseline_cat "$n")\t$(timed baseline_read "$n")" >> "$bf"
    fi
  done
  hz=$(getconf CLK_TCK)
  local ne_ticks ne_hub_rss
  ne_ticks=$(( $(cpu_ticks "$ne_pid") - ne_cpu0 ))
  for i in "${!tags[@]}"; do
    ticks[i]=$(( $(cpu_ticks "${pids[$i]}") - cpu0[i] ))
    rss[i]=$(status_kib "${pids[$i]}" VmRSS) hwm[i]=$(status_kib "${pids[$i]}" VmHWM)
    if [ -n "$AGENT_REPORT_CMD" ]; then
      bash -c "$AGENT_REPORT_CMD" _ "${pids[$i]}" > "$results/report-${tags[$i]}-$n.txt" 2>&1 \
        || log "AGENT_REPORT_CMD failed for ${tags[$i]}"
    fi
  done
  ne_rss=$(status_kib "$ne_pid" VmRSS); ne_hub_rss=$(status_kib "$ne_hub_pid" VmRSS)
  {
    echo "N=$n loadavg=$(cut -d' ' -f1-3 /proc/loadavg) CLK_TCK=$hz"
    for i in "${!tags[@]}"; do
      echo "${tags[$i]} VmRSS_kB=${rss[$i]} VmHWM_kB=${hwm[$i]} cpu_ticks=${ticks[$i]} over $K scrapes"
    done
    echo "node_exporter VmRSS_kB=$ne_rss cpu_ticks=$ne_ticks over $K scrapes; in hub VmRSS_kB=$ne_hub_rss"
  } > "$results/rss-$n.txt"
  stop "${pids[@]}" "$ne_pid" "$ne_hub_pid"
  pids=() ne_pid="" ne_hub_pid=""

  ne_ms=$(col_median "$nf" 2 1000); nh_ms=$(col_median "$nf" 4 1000)
  if [ "$base" = 1 ]; then
    ss_ms=$(col_median "$bf" 2); cat_ms=$(col_median "$bf" 3); read_ms=$(col_median "$bf" 4)
  else
    ss_ms=skipped cat_ms=skipped read_ms=$(timed baseline_read "$n")
  fi
  for i in "${!tags[@]}"; do agent_row "$i" "$n"; done
}

# --- run --------------------------------------------------------------------------------------------

"$PODNET_CMD" probes > "$results/probes.txt" 2>&1 || { cat "$results/probes.txt" >&2; exit 1; }
{
  echo "date: $(date -Is)"
  echo "command: $0 ${sizes[*]}  (K=$K WARMUP=$WARMUP BASE_K=$BASE_K PROBES='${PROBES:-default}' BASE_FILES='$BASE_FILES')"
  echo "agents: ${cmds[*]}  PODNET_JAVA_OPTS='${PODNET_JAVA_OPTS:-}'"
  echo "git: $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet 2>/dev/null || echo -dirty)"
  echo "kernel: $(uname -r), cpus: $(nproc), mem: $(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)"
  echo "java: $("$("$root/scripts/find-jdk")/bin/java" -version 2>&1 | head -1)"
  echo "node_exporter: $("$NODE_EXPORTER" --version 2>&1 | head -1)"
  echo "namespaces already on the host: $(ip netns list | wc -l) named"
} > "$results/meta.txt"
cat "$results/meta.txt" >&2
make_hub

header='| N | netns seen | podnet collection ms | podnet scrape ms | µs / netns | podnet CPU ms / scrape | podnet RSS / HWM MiB | node_exporter host ms | node_exporter hub ms | ratio scrape / NE host | nsenter ss -s loop ms | nsenter cat loop ms | one cat ms | NE RSS MiB |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'
echo "$header" | tee "$results/table.md"
for n in "${sizes[@]}"; do
  run_size "$n"
done
echo -e "N\tagent\tprobe\tmedian_ms" | cat - "$results/probe-medians.tsv" > "$results/probe-medians.tmp" \
  && mv "$results/probe-medians.tmp" "$results/probe-medians.tsv"
log "per-probe medians: $results/probe-medians.tsv"
