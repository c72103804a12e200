#!/usr/bin/env bash
# intercept-run.sh SCENARIO LABEL KIND REP OUT [WARMUP] -- one intercept_small / tunnel_small run
# -> one RESULT line (the harness's format, so summarize.py and ratios.py read it), for bench.sh.
#
# Like the harness's sni_small (wrk -t2 -c64 -d10s, keep-alive, HTTP/1.1 over TLS, /1k.bin), but
# through a CONNECT tunnel: intercept.sh KIND starts the proxy (on 18081) and a socat CONNECT
# front (on 18080, its own session) that wrk connects to. This is not the harness's run.sh
# because squid-bump forwards a bumped request only when its Host port is the CONNECT port
# (a pinned connection), so wrk must send Host: localhost:18443, which run.sh does not allow.
# CPU is the proxy's session (procmon.py), as the harness counts it.
set -u -o pipefail
SCEN=$1 LABEL=$2 KIND=$3 REP=$4 OUT=$5 WARMUP=${6:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=${BENCH_DIR:?BENCH_DIR: the shared bench directory}
PY=$(command -v python3)
PORT=18080 ORIGIN_PORT=18000 ORIGIN_TLS_PORT=18443 DURATION=${BENCH_DURATION:-10}
DATA=${BENCH_DATA:-/tmp/g3bench/data}
mkdir -p "$DATA" /tmp/g3bench/run
[ -s "$DATA/1k.bin" ] || head -c 1024 /dev/urandom > "$DATA/1k.bin"
if [ ! -s "$DATA/cert.pem" ]; then   # the harness's origin certificate, made as run.sh makes it
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost -keyout "$DATA/key.pem" -out "$DATA/cert.pem" >/dev/null 2>&1
  chmod 644 "$DATA"/*
fi
RUN=$(mktemp -d "/tmp/g3bench/run/$SCEN-$LABEL-XXXX"); chmod 1777 "$RUN"; mkdir -p "$RUN/origin-tmp"
export BENCH_PORT=$PORT BENCH_ORIGIN_PORT=$ORIGIN_PORT BENCH_ORIGIN_TLS_PORT=$ORIGIN_TLS_PORT BENCH_RUN=$RUN BENCH_DATA=$DATA

listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
alive() { [ -r "/proc/$1/stat" ] && ! awk '{ exit !($3=="Z") }' "/proc/$1/stat" 2>/dev/null; }
SESSIONS=() WATCH=""
stop_session() { # SID: TERM, then KILL, then whatever is left in the session, by PID
  local sid=$1 i p
  kill -TERM "$sid" 2>/dev/null
  for i in $(seq 80); do alive "$sid" || break; sleep 0.1; done
  alive "$sid" && kill -KILL "$sid" 2>/dev/null
  for i in $(seq 10); do
    local left; left=$("$PY" "$BENCH/lib/procmon.py" pids "$sid" | grep -vx "$sid" || true)
    [ -z "$left" ] && break
    for p in $left; do kill -TERM "$p" 2>/dev/null; done; sleep 0.3
    [ "$i" -ge 5 ] && for p in $left; do kill -KILL "$p" 2>/dev/null; done
  done
  wait "$sid" 2>/dev/null || true
}
cleanup() {
  local rc=$? k
  [ -n "$WATCH" ] && kill -TERM "$WATCH" 2>/dev/null
  for ((k = ${#SESSIONS[@]} - 1; k >= 0; k--)); do stop_session "${SESSIONS[$k]}"; done
  if [ "$rc" = 0 ]; then rm -rf "$RUN"; else echo "intercept-run.sh: run dir kept: $RUN" >&2; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "intercept-run.sh: $*" >&2; tail -20 "$RUN/proxy.log" >&2 2>/dev/null; echo "RESULT scenario=$SCEN target=$LABEL rep=$REP status=fail" | tee -a "$OUT"; exit 1; }
wait_port() { local i; for i in $(seq 600); do listening "$1" && return 0; alive "$2" || return 1; sleep 0.1; done; return 1; }

for p in $ORIGIN_PORT $ORIGIN_TLS_PORT $PORT $((PORT + 1)); do listening "$p" && fail "port $p already in use"; done
sed -e "s#@PORT@#$PORT#g" -e "s#@ORIGIN_PORT@#$ORIGIN_PORT#g" -e "s#@ORIGIN_TLS_PORT@#$ORIGIN_TLS_PORT#g" \
    -e "s#@RUN@#$RUN#g" -e "s#@DATA@#$DATA#g" "$BENCH/conf/origin-nginx.conf" > "$RUN/origin.conf"
setsid nginx -p "$RUN" -e "$RUN/origin-error.log" -c "$RUN/origin.conf" >"$RUN/origin.log" 2>&1 </dev/null &
SESSIONS+=($!)
wait_port "$ORIGIN_TLS_PORT" "${SESSIONS[0]}" || fail "origin did not start"
setsid bash "$HERE/intercept.sh" "$KIND" >"$RUN/proxy.log" 2>&1 </dev/null &
SID=$!; SESSIONS+=("$SID")
wait_port "$PORT" "$SID" || fail "$KIND did not listen on $PORT"

URL="https://localhost:$PORT/1k.bin" HOSTHDR="localhost:$ORIGIN_TLS_PORT"
code=$(timeout 20 curl -sk -o /dev/null --max-time 10 -H "Host: $HOSTHDR" -w '%{http_code}' "$URL")
[ "$code" = 200 ] || fail "check request returned '$code'"
run_wrk() {
  BENCH_HOST=$HOSTHDR timeout $(($1 + 30)) wrk -t2 -c64 -d"${1}s" --timeout 5s -s "$BENCH/lib/req.lua" "$URL" 2>&1 | grep '^WRK ' || true
}
kv() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
[ "$WARMUP" != 0 ] && run_wrk "$WARMUP" >/dev/null

"$PY" "$BENCH/lib/procmon.py" watch "$SID" "$RUN/rss.peak" 0.2 & WATCH=$!
CPU0=$("$PY" "$BENCH/lib/procmon.py" cpu "$SID")
W=$(run_wrk "$DURATION")
CPU1=$("$PY" "$BENCH/lib/procmon.py" cpu "$SID")
kill -TERM "$WATCH" 2>/dev/null; wait "$WATCH" 2>/dev/null; WATCH=""
[ -n "$W" ] || fail "wrk printed nothing"
req=$(kv requests "$W")
errs=$(( $(kv err_connect "$W") + $(kv err_write "$W") + $(kv err_status "$W") + $(kv err_timeout "$W") ))
STATUS=ok; [ "${req:-0}" -gt 0 ] || STATUS=fail; [ "$errs" -gt $((req / 100)) ] && STATUS=errors
read -r pk pprocs pthreads _ < "$RUN/rss.peak" 2>/dev/null || pk=0
RES=$(awk -v r="$req" -v d="$(kv duration_us "$W")" -v p50="$(kv p50_us "$W")" -v p99="$(kv p99_us "$W")" -v c0="$CPU0" -v c1="$CPU1" \
          -v e="$errs" -v re="$(kv err_read "$W")" -v pk="${pk:-0}" 'BEGIN {
  cpu = c1 - c0
  printf "rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d read_err=%d cpu_s=%.2f cpu_s_per_10k=%.4f peak_rss_MiB=%.1f",
    r / (d / 1e6), p50 / 1000, p99 / 1000, r, e, re, cpu, (r > 0 ? cpu / r * 10000 : 0), pk / 1048576 }')
LINE="RESULT scenario=$SCEN target=$LABEL rep=$REP status=$STATUS $RES peak_procs=${pprocs:-0} peak_threads=${pthreads:-0}"
echo "$LINE"; echo "$LINE ts=$(date +%s)" >> "$OUT"
[ "$STATUS" = ok ]
