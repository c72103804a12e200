# Shared by deploy/multi-region/run.sh and deploy/dual-exit/run.sh (source it; bash only).
# Starts G3Actors nodes from a published build on loopback, with certificates made by openssl and
# python3 origins that say which address each request came from. Every process started here is
# killed by the EXIT trap. Environment: BIN (a published build with Proxy.Node and pbm; default:
# dotnet publish into the work dir), BASE (first port, default 27100), KEEP=1 (keep the work dir).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/g3a-demo.XXXXXX")
BASE=${BASE:-27100}
PIDS=()
declare -A WHO=()      # source IP -> node name, to say which node carried a request
declare -A NODE_PID=() # node name -> pid
declare -A CONTROL=()  # node name -> pbm endpoint

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() { command -v "$1" >/dev/null || { echo "error: this demo needs $1" >&2; exit 1; }; }
need openssl; need python3; need curl

say() { printf '\n== %s\n' "$*"; }

build() {
  if [ -n "${BIN:-}" ]; then
    [ -x "$BIN/Proxy.Node" ] && [ -x "$BIN/pbm" ] || { echo "error: BIN=$BIN has no Proxy.Node and pbm" >&2; exit 1; }
    return
  fi
  need dotnet
  BIN="$WORK/bin"
  say "publishing the node and pbm into $BIN"
  dotnet publish "$REPO/Proxy.Node/Proxy.Node.csproj" -c Release -o "$BIN" --nologo -v quiet >/dev/null
  dotnet publish "$REPO/Proxy.Pbm/Proxy.Pbm.csproj" -c Release -o "$BIN" --nologo -v quiet >/dev/null
}

pbm() { "$BIN/pbm" "$@"; }

# A CA, then leaf certificates it signs: server ones (the relays' mTLS side) and one client one (the gateways').
make_ca() {
  mkdir -p "$WORK/pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=G3Actors demo CA" \
    -keyout "$WORK/pki/ca.key" -out "$WORK/pki/ca.crt" 2>/dev/null
}

# make_cert NAME serverAuth|clientAuth [DNS name]
make_cert() {
  local name=$1 usage=$2 dns=${3:-$1} d="$WORK/pki"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$dns" \
    -keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$dns" "$usage" >"$d/$name.ext"
  openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null
}

# The config every demo node starts with: the log, a resolver (the demos name IP literals only) and
# the escaper list, opened with a direct exit NAME bound to BIND_IP: the address the origins see names the node.
# yaml_head NAME BIND_IP
yaml_head() {
  cat <<YAML
log: stdout
resolver:
  - name: default
    type: c-ares
    server: 127.0.0.1
escaper:
  - name: $1
    type: direct_fixed
    resolver: default
    bind_ip: $2
    egress_network_filter: {default: allow, allow: [127.0.0.0/8]}
YAML
}

# The gateways' client side of the mTLS to the relays (a route_region key).
TLS_CLIENT="{ca_certificate: ../pki/ca.crt, certificate: ../pki/gateway.crt, private_key: ../pki/gateway.key, no_default_ca_certificate: true}"

# relay_yaml NAME REGION IP PORT: an http_proxy with TLS and client auth, whose direct exit binds IP,
# advertised to the cluster as region REGION's relay with TLS name NAME.g3a.test.
relay_yaml() {
  yaml_head exit "$3"
  cat <<YAML
server:
  - name: relay
    type: http_proxy
    escaper: exit
    listen: $3:$4
    tls_server:
      certificate: ../pki/$1.crt
      private_key: ../pki/$1.key
      enable_client_auth: true
      ca_certificate: ../pki/ca.crt
cluster:
  region: $2
  relay: {server: relay, address: "$3:$4", tls_name: $1.g3a.test}
YAML
}

# start_origin NAME IP PORT
start_origin() {
  python3 "$REPO/deploy/demo-origin.py" "$1" "$2" "$3" 2>>"$WORK/$1.log" &
  PIDS+=($!)
  disown "$!"
}

# start_node NAME CLUSTER_PORT CONTROL_PORT SEED_PORT (config: $WORK/NAME/main.yml, written before)
start_node() {
  local name=$1
  (cd "$WORK/$name" && exec "$BIN/Proxy.Node" -c main.yml --cluster-port "$2" --control "127.0.0.1:$3" --seed "127.0.0.1:$4") \
    >>"$WORK/$name.log" 2>&1 &
  NODE_PID[$name]=$!
  CONTROL[$name]="127.0.0.1:$3"
  PIDS+=($!)
  disown "$!" # the demo kills nodes on purpose; no "Killed" job notices
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.5 s.
wait_until() {
  local limit=$1 what=$2 start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ $((SECONDS - start)) -ge "$limit" ]; then
      echo "error: $what did not happen within ${limit}s (logs in $WORK; KEEP=1 keeps them)" >&2
      KEEP=1
      exit 1
    fi
    sleep 0.5
  done
}

# NODE's cluster show no longer lists the member at CLUSTER_PORT (the split-brain resolver removed it).
member_gone() { ! pbm "${CONTROL[$1]}" cluster show | grep -q "^127.0.0.1:$2 "; }

# The cluster is formed when NODE sees COUNT members, all Up and reachable.
members_up() {
  local out
  out=$(pbm "${CONTROL[$1]}" cluster show) || return 1
  grep -q "notice: $2 member(s)" <<<"$out" && [ "$(grep -c ' Up  *reachable$' <<<"$out")" = "$2" ]
}

# NODE routes to COUNT live relays.
relays_live() {
  local out
  out=$(pbm "${CONTROL[$1]}" cluster relays) || return 1
  if [ "$2" = 0 ]; then grep -q "notice: no live relay" <<<"$out"; else grep -q "notice: $2 live relay(s)" <<<"$out"; fi
}

# via GATEWAY_PROXY URL: the node that carried the request (by the source address the origin saw), or the failure.
via() {
  local reply ip
  if ! reply=$(curl -fsS --max-time 10 -x "http://$1" "$2" 2>&1); then
    echo "FAILED (${reply//$'\n'/ })"
    return
  fi
  ip=${reply##* served }
  echo "${WHO[$ip]:-$ip}"
}

# show_route GATEWAY_NAME GATEWAY_PROXY ORIGIN_NAME URL
show_route() { printf '  %-6s -> %-9s carried by %s\n' "$1" "$3" "$(via "$2" "$4")"; }

# follow SECONDS EXPECTED GATEWAY_NAME GATEWAY_PROXY ORIGIN_NAME URL: one request every 0.5 s, each
# printed with the time since MARK (epoch ms: the kill or the change), until three in a row are carried by
# EXPECTED (a prefix: FAILED matches any failure).
follow() {
  local limit=$1 expected=$2 start=$SECONDS streak=0 who
  while [ $((SECONDS - start)) -lt "$limit" ]; do
    who=$(via "$4" "$6")
    printf '  t+%5.1fs %-6s -> %-9s carried by %s\n' "$(elapsed)" "$3" "$5" "$who"
    if [[ "$who" == "$expected"* ]]; then streak=$((streak + 1)); else streak=0; fi
    [ "$streak" -ge 3 ] && return 0
    sleep 0.5
  done
  echo "error: $3 -> $5 was not carried by $expected within ${limit}s" >&2
  KEEP=1
  return 1
}

now_ms() { date +%s%3N; }
elapsed() { awk -v a="$MARK" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# kill_node NAME: SIGKILL, no drain, no goodbye; the cluster finds out from the failure detector.
kill_node() {
  kill -KILL "${NODE_PID[$1]}"
  MARK=$(now_ms)
  echo "  SIGKILL $1 (pid ${NODE_PID[$1]})"
}

# wait_dropped GATEWAY_NAME COUNT: prints when the gateway's directory is down to COUNT live relays.
wait_dropped() {
  wait_until 30 "$1 dropping the dead relay" relays_live "$1" "$2"
  printf '  t+%5.1fs %s routes to %s live relay(s): the dead one is out of its directory\n' "$(elapsed)" "$1" "$2"
}
