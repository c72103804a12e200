#!/usr/bin/env bash
# users-gen.sh OUT -- writes users.yml: http.yml plus a basic user group of 1000 static users
# (u1..u1000, password "toor" as g3's salted md5+sha1 test vector), each with a 50-rule
# dst_host_filter_set (exact, child, regex and subnet rules that never match the bench origin).
# The users-cost benchmark runs it against http.yml with variants.sh (users=...@1000).
set -eu
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
rules() {
  printf '{exact: {forbid: ['; for i in $(seq 20); do printf 'blocked%d.example,' "$i"; done; printf 'last.example], default: permit},'
  printf ' child: {forbid: ['; for i in $(seq 15); do printf 'ads%d.example,' "$i"; done; printf 'tracker.example], default: permit},'
  printf ' regex: {forbid: ['; for i in $(seq 6); do printf "'^x%d[a-z]+\\\\.example\$'," "$i"; done; printf "'^zz\\\\d+\\\\.example\$'], default: permit},"
  # g3 seeds a subnet rule with the egress builtins (loopback forbidden): the bench origin is 127.0.0.1
  printf ' subnet: {forbid: ['; for i in $(seq 6); do printf '10.%d.0.0/16,' "$i"; done; printf '192.0.2.0/24], permit: [127.0.0.0/8], default: permit}}'
}
R=$(rules)
{
  sed 's/^    escaper: default$/    escaper: default\n    user_group: customers/' "$HERE/http.yml"
  echo
  echo 'user_group:'
  echo '  - name: customers'
  echo '    static_users:'
  for i in $(seq 1000); do
    echo "      - name: u$i"
    echo '        token: {salt: 4e8f8a4e37f0fa1b, md5: d9d963915b9815d4cc39c196c2868900, sha1: c28640e7b1a3d9db98187632aeba99c0cff0ffd4}'
    echo "        dst_host_filter_set: $R"
  done
} > "$OUT"
