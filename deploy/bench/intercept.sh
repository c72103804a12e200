#!/usr/bin/env bash
# intercept.sh g3actors-intercept|g3actors-tunnel|squid-bump|squid-tunnel -- the proxy side of
# intercept_small and tunnel_small, started by bench.sh through the harness (--cmd).
#
# The harness's sni_small load is wrk https://localhost:$BENCH_PORT/1k.bin (keep-alive,
# HTTP/1.1, TLS by wrk). wrk cannot send CONNECT, so a socat front on $BENCH_PORT opens, per
# wrk connection, a CONNECT tunnel to 127.0.0.1:$BENCH_ORIGIN_TLS_PORT through the proxy under
# test on $BENCH_PORT+1 and relays; wrk's TLS then runs through the tunnel. socat runs in a
# session of its own, so the harness's CPU figure is the proxy's session only: the node plus
# its certificate generator, or squid plus its certificate helpers. The interception CA is
# made here (EC P-256), the same for both; squid takes it as `tls-cert=` with ssl_bump.
set -eu
KIND=$1
HERE=$(cd "$(dirname "$0")" && pwd)
FRONT=$BENCH_PORT PROXY=$((BENCH_PORT + 1)) CERTGEN=$((BENCH_PORT + 2)) RUN=$BENCH_RUN
render() { # TEMPLATE OUTPUT
  sed -e "s#@PORT@#$PROXY#g" -e "s#@CERTGEN_PORT@#$CERTGEN#g" -e "s#@ORIGIN_PORT@#$BENCH_ORIGIN_PORT#g" \
      -e "s#@ORIGIN_TLS_PORT@#$BENCH_ORIGIN_TLS_PORT#g" -e "s#@DATA@#$BENCH_DATA#g" -e "s#@RUN@#$RUN#g" "$1" > "$2"
}
listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj "/CN=G3Actors bench interception CA" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$RUN/icept-ca.key" -out "$RUN/icept-ca.pem" >/dev/null 2>&1

PIDS=()
FRONT_PID=""
stop() {
  [ -n "$FRONT_PID" ] && kill -TERM -- "-$FRONT_PID" 2>/dev/null
  local p; for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  wait 2>/dev/null; exit 0
}
trap stop TERM INT

case "$KIND" in
  g3actors-intercept|g3actors-tunnel)
    conf=$HERE/http.yml; [ "$KIND" = g3actors-intercept ] && conf=$HERE/intercept.yml
    render "$conf" "$RUN/node.yml"
    if [ "$KIND" = g3actors-intercept ]; then
      render "$HERE/certgen.yml" "$RUN/certgen.yml"
      # shellcheck disable=SC2086  # the node command is words
      ${INTERCEPT_NODE_CMD//@CONF@/certgen -c $RUN/certgen.yml} & PIDS+=($!)
    fi
    # shellcheck disable=SC2086
    ${INTERCEPT_NODE_CMD//@CONF@/-c $RUN/node.yml --cluster-port 0 --control 127.0.0.1:0} & PIDS+=($!);;
  squid-bump|squid-tunnel)
    grep -v '^http_port ' "$BENCH_DIR/conf/squid.conf" > "$RUN/squid.tmpl"
    if [ "$KIND" = squid-bump ]; then
      cat "$HERE/squid-bump.conf" >> "$RUN/squid.tmpl"
      /usr/lib/squid/security_file_certgen -c -s "$RUN/ssl_db" -M 16MB >/dev/null
      # squid started as root runs its helpers as its effective user (Debian: proxy)
      [ "$(id -u)" = 0 ] && chown -R proxy: "$RUN/ssl_db"
    else
      echo "http_port 127.0.0.1:@PORT@" >> "$RUN/squid.tmpl"
    fi
    render "$RUN/squid.tmpl" "$RUN/squid.conf"
    squid -N -f "$RUN/squid.conf" & PIDS+=($!);;
  *) echo "intercept.sh: g3actors-intercept, g3actors-tunnel, squid-bump or squid-tunnel" >&2; exit 2;;
esac

for _ in $(seq 300); do listening "$PROXY" && break; sleep 0.1; done
listening "$PROXY" || { echo "intercept.sh: the proxy did not listen on $PROXY" >&2; stop; }
setsid socat "TCP4-LISTEN:$FRONT,bind=127.0.0.1,reuseaddr,fork,backlog=4096" \
  "PROXY:127.0.0.1:127.0.0.1:$BENCH_ORIGIN_TLS_PORT,proxyport=$PROXY" </dev/null &
FRONT_PID=$!
wait "${PIDS[@]}"
stop
