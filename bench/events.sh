#!/usr/bin/env bash
# The event path's cost without the kernel: events emitted on one thread (as a probe's ring-buffer
# reader does) through the bus (pod attribution, rate limit, numbering, the ring kept for resuming
# streams) into a sink, for three sinks: none (the bus alone), file (NDJSON, the slowest local sink: JSON
# encoding and a write per batch) and stream (one /events subscriber). Reports the emitting thread's
# nanoseconds per event (median of rounds), the rate the file sink sustained, what was dropped
# (counted, never silent), and the process CPU per event.
#
#   bench/events.sh [EVENTS_PER_ROUND] [ROUNDS]     default: 200000 events, 7 rounds
#
# Raw output goes to bench/results/events-<time>.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
events=${1:-200000}
rounds=${2:-7}
export JAVA_HOME=$("$root/scripts/find-jdk")
jar=$root/target/podnet.jar
if [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" -newer "$jar" -print -quit)" ]; then
  (cd "$root" && ./mvnw -q -B -DskipTests package)
fi
out="$root/bench/results"; mkdir -p "$out"
raw="$out/events-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "# $(git -C "$root" rev-parse --short HEAD) $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) CPUs"
  for sink in none file stream; do
    "$JAVA_HOME/bin/java" -Xmx512m -cp "$jar" "$root/bench/EventPath.java" "$sink" "$events" "$rounds"
  done
} | tee "$raw"
