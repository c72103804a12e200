#!/usr/bin/env bash
# deploy/bench.sh [REPS] [OUT] -- G3Actors (published Release build) beside squid, same run.
#
# Runs the shared harness (../shared/bench/run.sh, i.e. the repo's parent holds shared/)
# for http_small, conn_churn, connect_bulk and idle_conns, REPS interleaved repetitions
# (default 3), squid and this node alternating, appends the RESULT lines to OUT
# (default deploy/bench/results/bench-<UTC time>.txt), then writes OUT.md: the harness's
# summary table plus the ratios against the targets (deploy/bench/ratios.py).
#
# Environment:
#   BENCH_SHARED     the shared/ directory (or shared/bench itself); default <repo>/../shared
#   BENCH_CONF       node config template for every scenario (default: per scenario, see conf_for)
#   BENCH_PUBLISH    publish output directory (default /tmp/g3bench/g3actors-publish)
#   BENCH_NO_PUBLISH=1  reuse an existing publish
#   BENCH_GC         workstation (default) | server -- the GC mode, set explicitly
#   BENCH_GC_CONCURRENT  0 (default) | 1 -- background GC
#   BENCH_INLINE     1 (default) | 0 -- DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS
#   BENCH_DOTNET_ENV extra VAR=VALUE words for the node (e.g. "DOTNET_GCgen0size=0x4000000")
#   BENCH_LABEL      target name in the RESULT lines (default g3actors)
#   BENCH_SCENARIOS  scenarios (default "http_small conn_churn connect_bulk idle_conns")
#   BENCH_PEERS      peer targets run beside ours (default: per scenario, see peers_for; empty: none)
#   BENCH_WARMUP     warm-up seconds for our node (default 5: tiered JIT)
#   BENCH_BASE_PUBLISH  a second published build (e.g. main before a change) run in the same
#                    interleaving as ours and the peers, labelled BENCH_BASE_LABEL (default
#                    g3actors-base): before/after in one run, not two runs with different noise
#
# Everything stays on 127.0.0.1 and every load is time-bounded (the harness does this).
set -u -o pipefail

REPS=${1:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${BENCH_SHARED:-$ROOT/../shared}
if [ -x "$SHARED/run.sh" ]; then BENCH=$(cd "$SHARED" && pwd)
elif [ -x "$SHARED/bench/run.sh" ]; then BENCH=$(cd "$SHARED/bench" && pwd)
else echo "bench.sh: no run.sh under $SHARED (set BENCH_SHARED)" >&2; exit 2; fi
mkdir -p "$ROOT/deploy/bench/results"
OUT=${2:-$ROOT/deploy/bench/results/bench-$(date -u +%Y%m%dT%H%M%SZ).txt}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT;; esac
mkdir -p "$(dirname "$OUT")"
PUB=${BENCH_PUBLISH:-/tmp/g3bench/g3actors-publish}
SCENARIOS=${BENCH_SCENARIOS:-http_small conn_churn connect_bulk idle_conns}

# The server type each scenario needs, and the peer the issues measure it against.
conf_for() {
  if [ -n "${BENCH_CONF:-}" ]; then case "$BENCH_CONF" in /*) echo "$BENCH_CONF";; *) echo "$PWD/$BENCH_CONF";; esac; return; fi
  case "$1" in
    socks_bulk) echo "$ROOT/deploy/bench/socks.yml";;
    tcp_bulk|tcp_small) echo "$ROOT/deploy/bench/tcp.yml";;
    reverse_small) echo "$ROOT/deploy/bench/reverse.yml";;
    sni_small) echo "$ROOT/deploy/bench/sni.yml";;
    tls_term) echo "$ROOT/deploy/bench/tls-term.yml";;
    chain_bulk) echo "$ROOT/deploy/bench/chain-a.yml";;
    intercept_small) echo "$ROOT/deploy/bench/intercept.yml";;
    *) echo "$ROOT/deploy/bench/http.yml";;
  esac
}
peers_for() {
  if [ -n "${BENCH_PEERS+x}" ]; then echo "$BENCH_PEERS"; return; fi
  case "$1" in
    socks_bulk) echo dante;;
    tcp_bulk|tcp_small|reverse_small) echo haproxy;;
    sni_small) echo nginx;;
    tls_term) echo haproxy-tls;;
    chain_bulk) echo squid-chain;;
    intercept_small) echo squid-bump;;
    tunnel_small) echo squid-tunnel;;
    *) echo squid;;
  esac
}
# tls_term (TLS termination) is our scenario on the harness's sni_small load (wrk over TLS to
# @PORT@); its RESULT lines are renamed. haproxy-tls is haproxy started with haproxy-tls.cfg.
# chain_bulk is connect_bulk through two hops (deploy/bench/chain.sh starts both in one session,
# so the CPU figure sums them); its peer squid-chain is squid with a cache_peer parent squid.
# intercept_small / tunnel_small: small HTTPS requests (wrk, keep-alive) through a CONNECT tunnel
# that the proxy intercepts (our auditor + certgen; squid-bump: squid-openssl's ssl_bump) or just
# relays (squid-tunnel); deploy/bench/intercept-run.sh runs them (a socat CONNECT front for wrk).
harness_scenario() { case "$1" in tls_term) echo sni_small;; chain_bulk) echo connect_bulk;; *) echo "$1";; esac; }
WARMUP=${BENCH_WARMUP:-5}

log() { echo "bench.sh: $*" >&2; }

# ------------------------------------------------------------ prerequisites (idempotent)
need_pkgs=()
for p in wrk:wrk curl:curl nginx:nginx squid:squid haproxy:haproxy danted:dante-server python3:python3 openssl:openssl ss:iproute2; do
  command -v "${p%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${p%%:*}" ] || need_pkgs+=("${p#*:}")
done
# nginx's SNI peer (ssl_preread) needs the stream module, a separate Debian package
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need_pkgs+=(libnginx-mod-stream)
case " $SCENARIOS " in *" intercept_small "*|*" tunnel_small "*)
  command -v socat >/dev/null 2>&1 || need_pkgs+=(socat)
  # ssl_bump needs the OpenSSL build of squid (Debian's squid-openssl replaces squid)
  squid -v 2>/dev/null | grep -q -- --with-openssl || need_pkgs+=(squid-openssl);;
esac
if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { log "missing ${need_pkgs[*]}; run as root to install them"; exit 2; }
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then   # keep apt from starting nginx/squid services
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made_policy=1
  fi
  log "installing ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >/dev/null ||
    { log "apt-get install failed"; exit 2; }
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
command -v dotnet >/dev/null || { log "dotnet SDK missing"; exit 2; }

# idle_conns opens 9000 tunnels = ~18k fds in the proxy; raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
[ "$NOFILE" = unlimited ] || [ "$NOFILE" -ge 18100 ] || log "warning: ulimit -n is $NOFILE; idle_conns needs ~18k fds"

# ------------------------------------------------------------ build
if [ "${BENCH_NO_PUBLISH:-0}" != 1 ]; then
  log "dotnet publish Proxy.Node -c Release -o $PUB"
  (cd "$ROOT" && dotnet publish Proxy.Node -c Release -o "$PUB" -nologo -v q) >&2 || { log "publish failed"; exit 2; }
fi
DLL=$PUB/Proxy.Node.dll
[ -f "$DLL" ] && [ -f "$PUB/cluster.hocon" ] || { log "no $DLL / cluster.hocon"; exit 2; }

# config check on a rendered copy of every config used (the harness renders the same placeholders)
for s in $SCENARIOS; do
  CONF=$(conf_for "$s")
  CHECK=$(mktemp /tmp/g3bench-check.XXXX.yml)
  sed -e 's/@PORT@/18080/g' -e 's/@NEXT_PORT@/18081/g' -e 's/@CERTGEN_PORT@/18082/g' -e 's/@ORIGIN_PORT@/18000/g' -e 's/@ORIGIN_TLS_PORT@/18443/g' \
      -e "s#@DATA@#${BENCH_DATA:-/tmp/g3bench/data}#g" -e 's#@RUN@#/tmp#g' "$CONF" > "$CHECK"
  (cd /tmp && dotnet "$DLL" -t -c "$CHECK") >&2 || { log "config check failed: $CONF"; rm -f "$CHECK"; exit 2; }
  rm -f "$CHECK"
done

# ------------------------------------------------------------ runtime settings (explicit)
GC=${BENCH_GC:-workstation}
case "$GC" in
  workstation) GC_SERVER=0;;
  server) GC_SERVER=1;;
  *) log "BENCH_GC must be workstation or server"; exit 2;;
esac
GC_CONC=${BENCH_GC_CONCURRENT:-0}
# Socket continuations inline on the epoll thread (no thread-pool hop per completion): chosen
# after the sweep in docs/perf.md (-40 % CPU per GiB on connect_bulk). BENCH_INLINE=0 turns it off.
INLINE=${BENCH_INLINE:-1}
DOTNET_ENV="DOTNET_gcServer=$GC_SERVER DOTNET_gcConcurrent=$GC_CONC DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=$INLINE ${BENCH_DOTNET_ENV:-}"
LABEL=${BENCH_LABEL:-g3actors}
NODE_CMD="env $DOTNET_ENV dotnet $DLL -c {CONF} --cluster-port 0"
BASE_LABEL=""
if [ -n "${BENCH_BASE_PUBLISH:-}" ]; then
  [ -f "$BENCH_BASE_PUBLISH/Proxy.Node.dll" ] || { log "no $BENCH_BASE_PUBLISH/Proxy.Node.dll"; exit 2; }
  BASE_LABEL=${BENCH_BASE_LABEL:-g3actors-base}
  BASE_CMD="env $DOTNET_ENV dotnet $BENCH_BASE_PUBLISH/Proxy.Node.dll -c {CONF} --cluster-port 0"
fi

{
  echo "# bench.sh $(date -u +%FT%TZ) host=$(hostname) cpus=$(nproc) kernel=$(uname -r) ulimit_n=$NOFILE"
  echo "# commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) dotnet=$(dotnet --version) label=$LABEL env: $DOTNET_ENV"
  echo "# node: $NODE_CMD (warmup ${WARMUP}s)"
  [ -n "$BASE_LABEL" ] && echo "# base ($BASE_LABEL): $BASE_CMD"
  for s in $SCENARIOS; do echo "# $s: conf $(conf_for "$s") peers: $(peers_for "$s")"; done
} >> "$OUT"
log "results -> $OUT ($LABEL: $DOTNET_ENV)"

run_one() { # SCENARIO TARGET REP
  local s=$1 t=$2 rep=$3 args=() rc
  case "$s" in intercept_small|tunnel_small) run_intercept "$@"; return;; esac
  if [ "$t" = "$LABEL" ] && [ "$s" = chain_bulk ]; then
    args=(--cmd "env CHAIN_NODE_CMD='${NODE_CMD//\{CONF\}/@CONF@}' bash $ROOT/deploy/bench/chain.sh g3actors" --warmup "$WARMUP")
  elif [ "$t" = squid-chain ]; then
    args=(--cmd "bash $ROOT/deploy/bench/chain.sh squid")
  elif [ -n "$BASE_LABEL" ] && [ "$t" = "$BASE_LABEL" ]; then
    args=(--cmd "$BASE_CMD" --conf "$(conf_for "$s")" --warmup "$WARMUP")
  elif [ "$t" = "$LABEL" ]; then
    args=(--cmd "$NODE_CMD" --conf "$(conf_for "$s")" --warmup "$WARMUP")
    [ "$s" = idle_conns ] && args+=(--proto http)
  elif [ "$t" = haproxy-tls ]; then
    args=(--cmd "sh -c 'cat {DATA}/cert.pem {DATA}/key.pem > {RUN}/site.pem && exec haproxy -db -f {CONF}'"
          --conf "$ROOT/deploy/bench/haproxy-tls.cfg")
  fi
  local tmp lines; tmp=$(mktemp /tmp/g3bench-run.XXXX); lines=$(mktemp /tmp/g3bench-lines.XXXX)
  (cd "$BENCH" && ./run.sh "$(harness_scenario "$s")" "$t" "${args[@]}" --rep "$rep" --out "$lines") >"$tmp" 2>&1
  rc=$?
  sed "s/ scenario=$(harness_scenario "$s") / scenario=$s /" "$lines" >> "$OUT"; rm -f "$lines"
  grep '^RESULT\|^SKIP' "$tmp" | sed "s/ scenario=$(harness_scenario "$s") / scenario=$s /" || true
  if [ "$rc" != 0 ]; then
    echo "# FAILED scenario=$s target=$t rep=$rep rc=$rc" >> "$OUT"
    log "FAILED $s $t rep $rep (rc $rc); harness output:"
    sed 's/^/    /' "$tmp" >&2
    local kept; kept=$(sed -n 's/^run.sh: run dir kept: //p' "$tmp" | tail -1)
    if [ -n "$kept" ] && [ -f "$kept/proxy.log" ]; then
      log "proxy stderr tail ($kept/proxy.log):"; tail -30 "$kept/proxy.log" | sed 's/^/    /' >&2
    fi
  fi
  rm -f "$tmp"
}

# intercept_small / tunnel_small have their own runner (deploy/bench/intercept-run.sh says why)
run_intercept() { # SCENARIO TARGET REP
  local s=$1 t=$2 rep=$3 kind=$2 warm=2
  if [ "$t" = "$LABEL" ]; then
    kind=g3actors-intercept; [ "$s" = tunnel_small ] && kind=g3actors-tunnel; warm=$WARMUP
  fi
  INTERCEPT_NODE_CMD="env $DOTNET_ENV dotnet $DLL @CONF@" BENCH_DIR=$BENCH \
    bash "$ROOT/deploy/bench/intercept-run.sh" "$s" "$t" "$kind" "$rep" "$OUT" "$warm" ||
    { echo "# FAILED scenario=$s target=$t rep=$rep" >> "$OUT"; log "FAILED $s $t rep $rep"; }
}

for ((rep = 1; rep <= REPS; rep++)); do
  for s in $SCENARIOS; do
    # alternate who goes first so slow drift of the shared machine hits both sides alike
    PEERS=$(peers_for "$s")
    if [ $((rep % 2)) = 1 ]; then order="$PEERS $BASE_LABEL $LABEL"; else order="$LABEL $BASE_LABEL $PEERS"; fi
    for t in $order; do run_one "$s" "$t" "$rep"; done
  done
done

# ------------------------------------------------------------ summary
{
  "$BENCH/summarize.py" "$OUT"
  echo
  python3 "$ROOT/deploy/bench/ratios.py" "$OUT" --ours "$LABEL"
} > "${OUT%.txt}.md"
cat "${OUT%.txt}.md"
log "summary -> ${OUT%.txt}.md"
