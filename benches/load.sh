#!/usr/bin/env bash
# City-scale load benchmark for the foundation (issue 3). Anyone can rerun it:
#
#   bash benches/load.sh sqlite            # embedded SQLite in a fresh temp dir
#   bash benches/load.sh postgres          # PostgreSQL database wushe_bench on 127.0.0.1 (dropped and recreated)
#
# It builds the release binary, loads the city (1 district, 10 streets, 100 communities, 1,000 grids,
# 300,000 households, 1,000,000 residents) with `wushe seed-demo --scale city`, starts `wushe serve`, and
# drives it with wrk on loopback at 32 connections: a grid steward's first page of residents filtered by a
# tag, a name search inside one community, GET /residents/{id}, and a bare axum handler returning JSON of
# the same size in the same run. It prints a Markdown block with the figures (append it to
# docs/benchmarks.md) and the server's resident memory after the load.
set -euo pipefail
backend=${1:-sqlite}
duration=${DURATION:-15s}
conns=${CONNS:-32}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --bin wushe --example bare_json >&2
bin=target/release/wushe
bare=target/release/examples/bare_json
work=$(mktemp -d)
port=18090
bare_port=18091
export WUSHE_DATA_DIR="$work/data" WUSHE_ADMIN_PASSWORD="bench-password-1" WUSHE_DEMO=false
export WUSHE_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export WUSHE_ADDR="127.0.0.1:$port" RUST_LOG=warn
if [ "$backend" = postgres ]; then
  psql "postgres://postgres@127.0.0.1:5432/postgres" -qc "DROP DATABASE IF EXISTS wushe_bench" -qc "CREATE DATABASE wushe_bench"
  export WUSHE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/wushe_bench"
else
  unset WUSHE_DATABASE_URL || true
fi
cleanup() { kill "${server:-0}" "${bare_pid:-0}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

start=$(date +%s.%N)
$bin seed-demo --scale city >&2
load_s=$(echo "$(date +%s.%N) - $start" | bc)

$bin serve > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
api="http://127.0.0.1:$port/api/v1"
json() { python3 -c "import sys,json; d=json.load(sys.stdin); print($1)"; }
admin=$(curl -sf -XPOST "$api/auth/login" -H 'content-type: application/json' -d '{"username":"admin","password":"bench-password-1"}' | json 'd["token"]')
grid=$(curl -sf "$api/places?kind=grid&limit=1" -H "authorization: Bearer $admin" | json 'd["items"][0]["id"]')
community=$(curl -sf "$api/places?kind=community&limit=1" -H "authorization: Bearer $admin" | json 'd["items"][0]["id"]')
mk_user() {
  curl -sf -XPOST "$api/users" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"bench-password-1\",\"display_name\":\"$1\",\"roles\":[{\"role\":\"$2\",\"place_id\":\"$3\"}]}" >/dev/null
  curl -sf -XPOST "$api/auth/login" -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"bench-password-1\"}" | json 'd["token"]'
}
steward=$(mk_user bench_steward grid_steward "$grid")
worker=$(mk_user bench_worker community_worker "$community")
resident=$(curl -sf "$api/residents?limit=1" -H "authorization: Bearer $steward" | json 'd["items"][0]["id"]')
curl -sf "$api/residents/$resident" -H "authorization: Bearer $steward" > "$work/resident.json"
$bare "127.0.0.1:$bare_port" "$work/resident.json" &
bare_pid=$!
sleep 0.5

tag=$(python3 -c "import urllib.parse; print(urllib.parse.quote('党员'))")
name=$(python3 -c "import urllib.parse; print(urllib.parse.quote('欧阳'))")
run() { # label token url
  local out
  out=$(wrk -t2 -c"$conns" -d"$duration" --latency -H "authorization: Bearer $2" "$3")
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local non2xx
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "| $1 | $rps | $p50 | $p99 | ${non2xx:-0} |"
}
echo
echo "### $backend, $(date -u +%Y-%m-%d), $(nproc) cores, wrk -t2 -c$conns -d$duration"
echo
echo "Load: \`wushe seed-demo --scale city\` took **${load_s%.*} s** (1,000,000 residents, 300,000 households)."
echo
echo "| request | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
# A short warm-up per request first: the figures are for a server in use, not the first seconds after a load.
warm() { wrk -t2 -c"$conns" -d3s -H "authorization: Bearer $1" "$2" >/dev/null; }
warm "$steward" "$api/residents?tag=$tag"
run "grid steward: first page, tag 党员" "$steward" "$api/residents?tag=$tag"
warm "$worker" "$api/residents?name=$name"
run "community worker: name search 欧阳" "$worker" "$api/residents?name=$name"
# The resident read and the bare handler alternate three times: this machine's throughput drifts by a
# fifth from minute to minute, and a ratio of two runs far apart would measure the drift.
warm "$steward" "$api/residents/$resident"
size=$(wc -c < "$work/resident.json")
for round in 1 2 3; do
  run "GET /residents/{id} (round $round)" "$steward" "$api/residents/$resident"
  run "bare axum, same JSON size ($size bytes) (round $round)" "$steward" "http://127.0.0.1:$bare_port/"
done | tee "$work/rounds.md"
ratio=$(awk -F'|' '/GET \/residents/ {w[++i]=$3} /bare axum/ {b[++j]=$3} END {for (k=1;k<=i;k++) r[k]=w[k]/b[k]; n=asort(r); printf "%.0f", 100*r[int((n+1)/2)]}' "$work/rounds.md")
echo
echo "Resident read as a share of the bare handler, median of the three rounds: **${ratio} %**."
rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
echo
echo "Server resident memory after the load: **$((rss / 1024)) MB** (VmRSS)."
