#!/usr/bin/env bash
# deploy/bench/variants.sh REPS OUT LABEL=CONF[@AUTH] ... -- the cost of a feature, same run.
#
# http_small's load (wrk -t2 -c64 keep-alive, GET http://127.0.0.1:18000/1k.bin through the node)
# against node variants, interleaved REPS times; one RESULT line per variant and rep with the
# node's CPU seconds per 10k requests (its whole session, as ../shared/bench measures it).
# CONF is a node config template (@PORT@ 18080); @AUTH makes every request carry
# `Proxy-Authorization: Basic` for user u<N>:toor, N cycling over 1..AUTH (Basic on every request);
# %DIR runs that variant from another publish directory (an A/B of two builds in one run).
# Used for the users cost (users.yml vs http.yml) and the stats cost (stats.yml vs http.yml).
# The origin is the harness's nginx (conf/origin-nginx.conf). Loopback only, time-bounded.
# BENCH_PIN=1: the node on CPU 1, nginx and wrk on CPU 0 (taskset), so the node's CPU per request is
# not mixed with being preempted by the load on its own core; report pinned and unpinned runs apart.
# BENCH_PERF=DIR: also `perf record -g` the node during each measured run and write DIR/LABEL-REP-top.txt
# (the hottest symbols; JIT frames via DOTNET_PerfMapEnabled, W^X off so perf can map them). Profiled runs' RESULT lines are not figures.
set -u -o pipefail
[ $# -ge 3 ] || { sed -n '2,11p' "$0"; exit 2; }
REPS=$1 OUT=$2; shift 2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$(cd "${BENCH_SHARED:-$ROOT/../shared}" && pwd)
[ -x "$BENCH/run.sh" ] || BENCH=$BENCH/bench
PUB=${BENCH_PUBLISH:-/tmp/g3bench/g3actors-publish}
DATA=${BENCH_DATA:-/tmp/g3bench/data}
DUR=${BENCH_DURATION:-10} WARM=${BENCH_WARMUP:-5}
RUN=$(mktemp -d /tmp/g3bench-variants.XXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done; sleep 0.5; for p in "${PIDS[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done; rm -rf "$RUN"; }
trap cleanup EXIT
log() { echo "variants.sh: $*" >&2; }
wait_port() { for _ in $(seq 300); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done; return 1; }

[ -s "$DATA/1k.bin" ] || { mkdir -p "$DATA"; head -c 1024 /dev/urandom > "$DATA/1k.bin"; }
if [ "${BENCH_NO_PUBLISH:-0}" != 1 ]; then
  (cd "$ROOT" && dotnet publish Proxy.Node -c Release -o "$PUB" -nologo -v q) >&2 || { log "publish failed"; exit 2; }
fi
sed -e "s#@ORIGIN_PORT@#18000#g" -e "s#@ORIGIN_TLS_PORT@#18443#g" -e "s#@RUN@#$RUN#g" -e "s#@DATA@#$DATA#g" \
  "$BENCH/conf/origin-nginx.conf" > "$RUN/origin.conf"
mkdir -p "$RUN/origin-tmp"
[ -s "$DATA/cert.pem" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj /CN=localhost -keyout "$DATA/key.pem" -out "$DATA/cert.pem" >/dev/null 2>&1
PIN_NODE=() PIN_LOAD=()
[ "${BENCH_PIN:-0}" = 1 ] && PIN_NODE=(taskset -c 1) PIN_LOAD=(taskset -c 0)
setsid "${PIN_LOAD[@]}" nginx -p "$RUN" -e "$RUN/origin-error.log" -c "$RUN/origin.conf" >/dev/null 2>&1 </dev/null &
PIDS+=($!)
wait_port 18000 || { log "origin did not start"; exit 2; }

lua() { # N -> a wrk script: absolute-form GET, and Basic for u1..uN in turn when N > 0
  local n=$1 f="$RUN/req-$1.lua"
  {
    echo 'wrk.path = "http://127.0.0.1:18000/1k.bin"'
    echo 'wrk.headers["Host"] = "127.0.0.1:18000"'
    echo 'local auth = {'
    for ((i = 1; i <= n; i++)); do printf '"Basic %s",\n' "$(printf 'u%d:toor' "$i" | base64 -w0)"; done
    echo '}'
    echo 'local i = 0'
    echo 'request = function()'
    echo '  if #auth > 0 then i = i % #auth + 1; wrk.headers["Proxy-Authorization"] = auth[i] end'
    echo '  return wrk.format(nil, wrk.path, wrk.headers)'
    echo 'end'
    echo 'done = function(s) io.write(string.format("WRK requests=%d duration_us=%d errors=%d\n", s.requests, s.duration,'
    echo '  s.errors.connect + s.errors.write + s.errors.status + s.errors.timeout)) end'
  } > "$f"
  echo "$f"
}

run_variant() { # LABEL CONF AUTH REP PUBLISH
  local label=$1 conf=$2 auth=$3 rep=$4 pub=$5 script sid c0 c1 w
  sed -e 's/@PORT@/18080/g' -e 's/@ORIGIN_PORT@/18000/g' -e "s#@RUN@#$RUN#g" -e "s#@DATA@#$DATA#g" "$conf" > "$RUN/node.yml"
  script=$(lua "$auth")
  local perfenv=() perfpid=""
  [ -n "${BENCH_PERF:-}" ] && { mkdir -p "$BENCH_PERF"; perfenv=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0); }
  setsid "${PIN_NODE[@]}" env "${perfenv[@]}" DOTNET_gcServer=0 DOTNET_gcConcurrent=0 DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
    dotnet "$pub/Proxy.Node.dll" -c "$RUN/node.yml" --cluster-port 0 --control 127.0.0.1:0 >"$RUN/node.log" 2>&1 </dev/null &
  sid=$!; PIDS+=("$sid")
  wait_port 18080 || { log "$label did not start"; tail -5 "$RUN/node.log" >&2; kill -KILL -- "-$sid"; return; }
  timeout $((WARM + 30)) "${PIN_LOAD[@]}" wrk -t2 -c64 -d"${WARM}s" --timeout 5s -s "$script" http://127.0.0.1:18080/ >/dev/null 2>&1
  c0=$(python3 "$BENCH/lib/procmon.py" cpu "$sid")
  if [ -n "${BENCH_PERF:-}" ]; then
    perf record -e cpu-clock -F 999 -g -p "$(pgrep -n -f "$pub/Proxy.Node.dll -c $RUN/node.yml")" \
      -o "$BENCH_PERF/$label-$rep.perf.data" -- sleep "$DUR" >/dev/null 2>&1 &
    perfpid=$!
  fi
  w=$(timeout $((DUR + 30)) "${PIN_LOAD[@]}" wrk -t2 -c64 -d"${DUR}s" --timeout 5s -s "$script" http://127.0.0.1:18080/ 2>&1 | grep '^WRK ')
  c1=$(python3 "$BENCH/lib/procmon.py" cpu "$sid")
  [ -n "$perfpid" ] && wait "$perfpid"
  kill -TERM -- "-$sid" 2>/dev/null; for _ in $(seq 50); do kill -0 "$sid" 2>/dev/null || break; sleep 0.1; done; kill -KILL -- "-$sid" 2>/dev/null
  wait "$sid" 2>/dev/null
  if [ -n "$perfpid" ]; then
    perf report -i "$BENCH_PERF/$label-$rep.perf.data" --no-children --sort sym --stdio 2>/dev/null |
      grep '%' | head -80 > "$BENCH_PERF/$label-$rep-top.txt"
  fi
  echo "$w" | awk -v l="$label" -v rep="$rep" -v c0="$c0" -v c1="$c1" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    r = v["requests"]; rps = r / (v["duration_us"] / 1e6); cpu = c1 - c0
    printf "RESULT scenario=http_small target=%s rep=%d status=%s rps=%.0f requests=%d errors=%d cpu_s=%.2f cpu_s_per_10k=%.4f\n",
      l, rep, (r > 0 && v["errors"] <= r / 100 ? "ok" : "errors"), rps, r, v["errors"], cpu, (r > 0 ? cpu / r * 10000 : 0) }' | tee -a "$OUT"
}

echo "# variants.sh $(date -u +%FT%TZ) commit=$(git -C "$ROOT" rev-parse --short HEAD) pin=${BENCH_PIN:-0} $*" >> "$OUT"
for ((rep = 1; rep <= REPS; rep++)); do
  vs=("$@"); [ $((rep % 2)) = 0 ] && vs=($(printf '%s\n' "$@" | tac))   # alternate who goes first
  for v in "${vs[@]}"; do
    label=${v%%=*} rest=${v#*=} auth=0 pub=$PUB
    case "$rest" in *%*) pub=${rest##*%}; rest=${rest%\%*};; esac
    case "$rest" in *@*) auth=${rest##*@}; rest=${rest%@*};; esac
    case "$rest" in /*) ;; *) rest=$ROOT/$rest;; esac
    run_variant "$label" "$rest" "$auth" "$rep" "$pub"
  done
done
