#!/usr/bin/env bash
# deploy/bench/profile.sh SCENARIO [perf|strace|stat] [SECONDS] -- where the node's CPU goes.
#
# Runs one harness scenario against the published node (deploy/bench.sh publishes it to
# $BENCH_PUBLISH, default /tmp/g3bench/g3actors-publish) with a long load, attaches to the
# node's process once the warm-up is over, and prints:
#   perf   -- `perf record -e cpu-clock -g` for SECONDS (default 8), then the top symbols
#             (JIT frames resolved through DOTNET_PerfMapEnabled=1 -> /tmp/perf-PID.map)
#   strace -- `strace -c -f` syscall counts for SECONDS (slows the node a lot: counts only)
#   stat   -- `perf stat` task-clock, context switches and CPU migrations for SECONDS
# The RESULT line of a profiled run is NOT a benchmark number (the profiler costs CPU).
# Output files go to /tmp/g3bench/profile/.
set -u -o pipefail
SCEN=${1:?scenario}; MODE=${2:-perf}; SECS=${3:-8}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${BENCH_SHARED:-$ROOT/../shared}
[ -x "$SHARED/run.sh" ] && BENCH=$SHARED || BENCH=$SHARED/bench
PUB=${BENCH_PUBLISH:-/tmp/g3bench/g3actors-publish}
OUTDIR=/tmp/g3bench/profile; mkdir -p "$OUTDIR"
ENVV="DOTNET_gcServer=${BENCH_GC_SERVER:-0} DOTNET_gcConcurrent=0 DOTNET_PerfMapEnabled=1 ${BENCH_DOTNET_ENV:-}"
CMD="env $ENVV dotnet $PUB/Proxy.Node.dll -c {CONF} --cluster-port 0"
# the scenario's config (as deploy/bench.sh picks it); tls_term runs on sni_small's load
case "$SCEN" in
  tcp_bulk|tcp_small) CONF=tcp.yml;; reverse_small) CONF=reverse.yml;; sni_small) CONF=sni.yml;;
  socks_bulk) CONF=socks.yml;; tls_term) CONF=tls-term.yml;; *) CONF=http.yml;;
esac
CONF=${BENCH_CONF:-$ROOT/deploy/bench/$CONF}
HSCEN=$SCEN; [ "$SCEN" = tls_term ] && HSCEN=sni_small
extra=(); [ "$SCEN" = idle_conns ] && extra=(--proto http)
case "$SCEN" in connect_bulk) extra+=(--bulk-count 12);; idle_conns) ;; *) extra+=(--duration $((SECS + 6)));; esac

(cd "$BENCH" && ./run.sh "$HSCEN" g3actors-profile --cmd "$CMD" --conf "$CONF" \
   --warmup 5 "${extra[@]}") > "$OUTDIR/$SCEN-run.log" 2>&1 &
RUNPID=$!

# the node: the dotnet process running our dll, started after us
PID=""
for _ in $(seq 300); do
  PID=$(pgrep -n -f "Proxy.Node.dll -c /tmp/g3bench/run/$HSCEN-g3actors-profile" || true)
  [ -n "$PID" ] && break; sleep 0.1
done
[ -n "$PID" ] || { echo "profile.sh: node did not start"; wait $RUNPID; cat "$OUTDIR/$SCEN-run.log"; exit 1; }
# wait for port + check + 5 s warm-up (+ 1 s into the measured phase)
case "$SCEN" in idle_conns) sleep 4;; connect_bulk) sleep 8;; *) sleep 9;; esac
echo "profile.sh: node pid $PID, $MODE for ${SECS}s" >&2
if [ "$MODE" = stat ]; then
  # context switches and migrations per request: the scheduler side of a small-request load
  perf stat -e task-clock,context-switches,cpu-migrations -p "$PID" -o "$OUTDIR/$SCEN-stat.txt" -- sleep "$SECS" 2>/dev/null
  wait $RUNPID; grep RESULT "$OUTDIR/$SCEN-run.log"
  grep -E 'task-clock|context-switches|migrations|elapsed' "$OUTDIR/$SCEN-stat.txt"
elif [ "$MODE" = strace ]; then
  timeout -s INT "$SECS" strace -c -f -p "$PID" -o "$OUTDIR/$SCEN-strace.txt" 2>/dev/null
  wait $RUNPID; grep RESULT "$OUTDIR/$SCEN-run.log"
  head -40 "$OUTDIR/$SCEN-strace.txt"
else
  perf record -e cpu-clock -F 1999 -g -p "$PID" -o "$OUTDIR/$SCEN.perf.data" -- sleep "$SECS" 2>/dev/null
  wait $RUNPID; grep RESULT "$OUTDIR/$SCEN-run.log"
  # perf needs the map file while reporting; it is kept in /tmp/perf-PID.map after exit
  perf report -i "$OUTDIR/$SCEN.perf.data" --no-children --sort dso,sym --stdio 2>/dev/null |
    grep -v '^$' | grep '%' | head -60 > "$OUTDIR/$SCEN-top.txt"
  perf report -i "$OUTDIR/$SCEN.perf.data" --no-children --sort dso --stdio 2>/dev/null |
    grep '%' | head -15 > "$OUTDIR/$SCEN-dso.txt"
  cat "$OUTDIR/$SCEN-dso.txt"; cat "$OUTDIR/$SCEN-top.txt"
fi
