#!/usr/bin/env bash
# deploy/bench/variants.sh REPS OUT LABEL=CONF[@AUTH] ... -- the cost of a feature, same run.
#
# http_small's load (wrk -t2 -c64 keep-alive, GET http://127.0.0.1:18000/1k.bin through the node)
# against node variants, interleaved REPS times; one RESULT line per variant and rep with the
# node's CPU seconds per 10k requests (its whole session, as ../shared/bench measures it).
# CONF is a node config template (@PORT@ 18080); @AUTH makes every request carry
# `Proxy-Authorization: Basic` for user u<N>:toor, N cycling over 1..AUTH (Basic on every request);
# %DIR runs that variant from another publish directory (an A/B of two builds in one run); a DIR/bench.env of
# NAME=VALUE lines is added to (and overrides) that node's environment: a runtime setting's A/B in one run.
# Used for the users cost (users.yml vs http.yml) and the stats cost (stats.yml vs http.yml).
# The origin is the harness's nginx (conf/origin-nginx.conf). Loopback only, time-bounded.
# BENCH_PIN=1: the node on CPU 1, nginx and wrk on CPU 0 (taskset), so the node's CPU per request is
# not mixed with being preempted by the load on its own core; report pinned and unpinned runs apart.
# BENCH_ALTERNATE=1: start and warm every variant's node once (ports 18080, 18081, ...) and then measure them
# in turn REPS times, instead of a fresh node for every rep: the reps of one variant then differ only by the
# machine's drift, not by each process's start-up and JIT warm-up. One process per variant is one heap layout
# and one set of JIT decisions: list a variant more than once (plain1=... plain2=... users1=... users2=...) to
# sample several, and merge them per rep with `cost.py --pool`.
# BENCH_PERF=DIR: also `perf record -g` the node during each measured run and write DIR/LABEL-REP-top.txt
# (the hottest symbols; JIT frames via DOTNET_PerfMapEnabled, W^X off so perf can map them). Profiled runs' RESULT lines are not figures.
# deploy/bench/profile_diff.py OUT DIR A B compares two variants' profiles, per 10k requests.
set -u -o pipefail
[ $# -ge 3 ] || { sed -n '2,/^set -u/p' "$0" | sed '$d'; exit 2; }
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
# the node's user and kernel CPU seconds apart (/proc/PID/stat utime, stime): the users cost is user-space
# work, while the kernel share moves with how busy the two cores are
user_sys() { awk -v t="$(getconf CLK_TCK)" -v n="$2" '{ sub(/^.*\) /, ""); printf "usr%s=%.2f sys%s=%.2f", n, $12 / t, n, $13 / t }' "/proc/$1/stat" 2>/dev/null; }
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

# variant i's node: NODE_SID[i], NODE_PORT[i], NODE_SCRIPT[i], NODE_PUB[i], NODE_LABEL[i]
NODE_SID=() NODE_PORT=() NODE_SCRIPT=() NODE_PUB=() NODE_LABEL=()

start_node() { # I LABEL CONF AUTH PUBLISH -> started and warmed (NODE_SID[I] empty when it did not start)
  local i=$1 label=$2 conf=$3 auth=$4 pub=$5 port=$((18080 + $1)) sid
  sed -e "s/@PORT@/$port/g" -e 's/@ORIGIN_PORT@/18000/g' -e "s#@RUN@#$RUN#g" -e "s#@DATA@#$DATA#g" "$conf" > "$RUN/node-$i.yml"
  NODE_LABEL[$i]=$label NODE_PORT[$i]=$port NODE_PUB[$i]=$pub NODE_SCRIPT[$i]=$(lua "$auth") NODE_SID[$i]=""
  local perfenv=()
  [ -n "${BENCH_PERF:-}" ] && { mkdir -p "$BENCH_PERF"; perfenv=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0); }
  local extra=()
  [ -f "$pub/bench.env" ] && mapfile -t extra < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$pub/bench.env")
  setsid "${PIN_NODE[@]}" env "${perfenv[@]}" DOTNET_gcServer=0 DOTNET_gcConcurrent=0 DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "${extra[@]}" \
    dotnet "$pub/Proxy.Node.dll" -c "$RUN/node-$i.yml" --cluster-port 0 --control 127.0.0.1:0 >"$RUN/node-$i.log" 2>&1 </dev/null &
  sid=$!; PIDS+=("$sid")
  wait_port "$port" || { log "$label did not start"; tail -5 "$RUN/node-$i.log" >&2; kill -KILL -- "-$sid"; return; }
  NODE_SID[$i]=$sid
  timeout $((WARM + 30)) "${PIN_LOAD[@]}" wrk -t2 -c64 -d"${WARM}s" --timeout 5s -s "${NODE_SCRIPT[$i]}" "http://127.0.0.1:$port/" >/dev/null 2>&1
}

stop_node() { # I
  local sid=${NODE_SID[$1]}
  [ -n "$sid" ] || return
  kill -TERM -- "-$sid" 2>/dev/null; for _ in $(seq 50); do kill -0 "$sid" 2>/dev/null || break; sleep 0.1; done; kill -KILL -- "-$sid" 2>/dev/null
  wait "$sid" 2>/dev/null
}

measure_node() { # I REP -> one RESULT line: a DUR-second wrk run against the (warm) node
  local i=$1 rep=$2 label=${NODE_LABEL[$1]} sid=${NODE_SID[$1]} c0 c1 u0 u1 w perfpid=""
  [ -n "$sid" ] || return
  c0=$(python3 "$BENCH/lib/procmon.py" cpu "$sid"); u0=$(user_sys "$sid" 0)
  if [ -n "${BENCH_PERF:-}" ]; then
    perf record -e cpu-clock -F 999 -g -p "$(pgrep -n -f "${NODE_PUB[$i]}/Proxy.Node.dll -c $RUN/node-$i.yml")" \
      -o "$BENCH_PERF/$label-$rep.perf.data" -- sleep "$DUR" >/dev/null 2>&1 &
    perfpid=$!
  fi
  w=$(timeout $((DUR + 30)) "${PIN_LOAD[@]}" wrk -t2 -c64 -d"${DUR}s" --timeout 5s -s "${NODE_SCRIPT[$i]}" "http://127.0.0.1:${NODE_PORT[$i]}/" 2>&1 | grep '^WRK ')
  c1=$(python3 "$BENCH/lib/procmon.py" cpu "$sid"); u1=$(user_sys "$sid" 1)
  if [ -n "$perfpid" ]; then
    wait "$perfpid"
    perf report -i "$BENCH_PERF/$label-$rep.perf.data" --no-children --sort sym --stdio 2>/dev/null |
      grep '%' | head -80 > "$BENCH_PERF/$label-$rep-top.txt"
  fi
  echo "$w $u0 $u1" | awk -v l="$label" -v rep="$rep" -v c0="$c0" -v c1="$c1" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    r = v["requests"]; rps = r / (v["duration_us"] / 1e6); cpu = c1 - c0
    usr = v["usr1"] - v["usr0"]; sys = v["sys1"] - v["sys0"]
    printf "RESULT scenario=http_small target=%s rep=%d status=%s rps=%.0f requests=%d errors=%d cpu_s=%.2f cpu_s_per_10k=%.4f usr_s_per_10k=%.4f sys_s_per_10k=%.4f\n",
      l, rep, (r > 0 && v["errors"] <= r / 100 ? "ok" : "errors"), rps, r, v["errors"], cpu, (r > 0 ? cpu / r * 10000 : 0),
      (r > 0 ? usr / r * 10000 : 0), (r > 0 ? sys / r * 10000 : 0) }' | tee -a "$OUT"
}

parse_variant() { # SPEC -> LABEL CONF AUTH PUBLISH on one line
  local label=${1%%=*} rest=${1#*=} auth=0 pub=$PUB
  case "$rest" in *%*) pub=${rest##*%}; rest=${rest%\%*};; esac
  case "$rest" in *@*) auth=${rest##*@}; rest=${rest%@*};; esac
  case "$rest" in /*) ;; *) rest=$ROOT/$rest;; esac
  echo "$label $rest $auth $pub"
}

echo "# variants.sh $(date -u +%FT%TZ) commit=$(git -C "$ROOT" rev-parse --short HEAD) pin=${BENCH_PIN:-0} alternate=${BENCH_ALTERNATE:-0} $*" >> "$OUT"
order() { # REP -> variant indexes, the first going first in odd reps and last in even ones
  local n=$1; shift
  if [ $((n % 2)) = 1 ]; then seq 0 $(($# - 1)); else seq $(($# - 1)) -1 0; fi
}
if [ "${BENCH_ALTERNATE:-0}" = 1 ]; then
  # every node started and warmed once, then measured in turn: no restart or JIT warm-up between reps
  for ((i = 0; i < $#; i++)); do v=("$@"); start_node "$i" $(parse_variant "${v[$i]}"); done
  for ((rep = 1; rep <= REPS; rep++)); do
    for i in $(order "$rep" "$@"); do measure_node "$i" "$rep"; done
  done
  for ((i = 0; i < $#; i++)); do stop_node "$i"; done
else
  for ((rep = 1; rep <= REPS; rep++)); do
    for i in $(order "$rep" "$@"); do
      v=("$@"); start_node "$i" $(parse_variant "${v[$i]}"); measure_node "$i" "$rep"; stop_node "$i"
    done
  done
fi
