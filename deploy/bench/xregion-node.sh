#!/usr/bin/env bash
# xregion-node.sh -- the cross-region path as one "proxy under test" for ../shared/bench/run.sh:
# a gateway (region a) and a relay (region b) in the harness's session, so its CPU figure sums
# both hops. Started by deploy/bench/xregion.sh through run.sh --cmd.
#
#   client -> gateway 127.0.0.1:$BENCH_PORT (http_proxy, route_region)
#          -> mTLS (gateway client certificate, relay server certificate, one bench CA)
#          -> relay 127.0.0.1:$BENCH_PORT+1 (http_proxy + tls_server, client auth) -> direct -> origin
#
# The two nodes form one cluster (the relay is the seed); the gateway finds the relay through the
# cluster's relay directory, as in production. The gateway first listens on a spare port and is
# moved to $BENCH_PORT (reload-server) only once `cluster relays` lists the relay, so the harness's
# first request already crosses the hop (its fallback_node is a dummy_deny: nothing is counted that
# did not cross it).
# Environment (from xregion.sh): XREGION_NODE_CMD (the node command, without -c), XREGION_PBM (pbm).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
: "${XREGION_NODE_CMD:?}" "${XREGION_PBM:?}"
PORT=$BENCH_PORT RELAY_PORT=$((BENCH_PORT + 1)) SPARE_PORT=$((BENCH_PORT + 3))
RELAY_CLUSTER=$((BENCH_PORT + 10)) GW_CLUSTER=$((BENCH_PORT + 11))
RELAY_CONTROL=127.0.0.1:$((BENCH_PORT + 12)) GW_CONTROL=127.0.0.1:$((BENCH_PORT + 13))
RUN=$BENCH_RUN PKI=$BENCH_RUN/pki
log() { echo "xregion-node.sh: $*" >&2; }

# A CA, the relay's server certificate (the TLS name the relay advertises) and the gateway's client one.
mkdir -p "$PKI"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=xregion bench CA" \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
cert() { # NAME USAGE DNS
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$3" \
    -keyout "$PKI/$1.key" -out "$PKI/$1.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$3" "$2" > "$PKI/$1.ext"
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
    -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2>/dev/null
}
cert relay serverAuth relay.xregion.test
cert gateway clientAuth gateway.xregion.test

render() { # TEMPLATE OUT LISTEN
  sed -e "s#@PORT@#$PORT#g" -e "s#@LISTEN@#$3#g" -e "s#@RELAY_PORT@#$RELAY_PORT#g" -e "s#@PKI@#$PKI#g" "$1" > "$2"
}
render "$HERE/xregion-relay.yml" "$RUN/relay.yml" "$RELAY_PORT"
render "$HERE/xregion-gw.yml" "$RUN/gateway.yml" "$SPARE_PORT"

# shellcheck disable=SC2086  # the node command is words
$XREGION_NODE_CMD -c "$RUN/relay.yml" --cluster-port "$RELAY_CLUSTER" --seed "127.0.0.1:$RELAY_CLUSTER" \
  --control "$RELAY_CONTROL" >"$RUN/relay.log" 2>&1 &
# shellcheck disable=SC2086
$XREGION_NODE_CMD -c "$RUN/gateway.yml" --cluster-port "$GW_CLUSTER" --seed "127.0.0.1:$RELAY_CLUSTER" \
  --control "$GW_CONTROL" >"$RUN/gateway.log" 2>&1 &

for _ in $(seq 120); do
  "$XREGION_PBM" "$GW_CONTROL" cluster relays 2>/dev/null | grep -q "127.0.0.1:$RELAY_PORT" && break
  sleep 0.5
done
"$XREGION_PBM" "$GW_CONTROL" cluster relays | grep -q "127.0.0.1:$RELAY_PORT" ||
  { log "the gateway never listed the relay"; tail -5 "$RUN/relay.log" "$RUN/gateway.log" >&2; exit 1; }
render "$HERE/xregion-gw.yml" "$RUN/gateway.yml" "$PORT"
"$XREGION_PBM" "$GW_CONTROL" reload-server http >&2
wait
