#!/usr/bin/env bash
# Service-loop benchmark (issue 5). Anyone can rerun it:
#
#   bash benches/service_loop.sh sqlite       # embedded SQLite in a fresh temp dir
#   bash benches/service_loop.sh postgres     # PostgreSQL database wushe_bench_s on 127.0.0.1 (dropped and recreated)
#
# It loads the city (`wushe seed-demo --scale city`), 300,000 volunteers with skills and categories
# (`wushe seed-volunteers`, with few service records: hours play no part here), then 10,000 open demands,
# 5,000 resources and a year of 100,000 orders in one street (`wushe seed-service-loop`), and measures:
# matching every open demand (`wushe match-all`, three runs), the ranked matches of one demand
# (`GET /demands/{id}/matches`, a random one of 500 per request, wrk), and the street's dispatch board
# (`GET /orders?place_id=`, wrk at 32 clients). It prints a Markdown block for docs/benchmarks.md.
set -euo pipefail
backend=${1:-sqlite}
duration=${DURATION:-15s}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --bin wushe >&2
bin=target/release/wushe
work=$(mktemp -d)
port=18094
export WUSHE_DATA_DIR="$work/data" WUSHE_ADMIN_PASSWORD="bench-password-1" WUSHE_DEMO=false
export WUSHE_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export WUSHE_ADDR="127.0.0.1:$port" RUST_LOG=warn
if [ "$backend" = postgres ]; then
  psql "postgres://postgres@127.0.0.1:5432/postgres" -qc "DROP DATABASE IF EXISTS wushe_bench_s" -qc "CREATE DATABASE wushe_bench_s"
  export WUSHE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/wushe_bench_s"
else
  unset WUSHE_DATABASE_URL || true
fi
cleanup() { kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

$bin seed-demo --scale city >&2
$bin seed-volunteers --volunteers 300000 --records 300000 >&2
load=$($bin seed-service-loop | tail -1)
echo "$load" >&2
: > "$work/match"
for _ in 1 2 3; do
  $bin match-all | tail -1 | sed -E 's/.* in ([0-9.]+)s$/\1/' >> "$work/match"
done
match_line=$(sort -n "$work/match" | awk '{t[NR]=$1} END {printf "min %.2f s, median %.2f s, max %.2f s", t[1], t[2], t[3]}')

$bin serve > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
api="http://127.0.0.1:$port/api/v1"
json() { python3 -c "import sys,json; d=json.load(sys.stdin); print($1)"; }
admin=$(curl -sf -XPOST "$api/auth/login" -H 'content-type: application/json' -d '{"username":"admin","password":"bench-password-1"}' | json 'd["token"]')
street=$(curl -sf "$api/places?kind=street&limit=1" -H "authorization: Bearer $admin" | json 'd["items"][0]["id"]')
curl -sf "$api/demands?limit=500&status=open" -H "authorization: Bearer $admin" | json '"\n".join(x["id"] for x in d["items"])' > "$work/ids"
cat > "$work/matches.lua" <<LUA
ids = {}
for line in io.lines("$work/ids") do ids[#ids + 1] = line end
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/demands/" .. ids[math.random(#ids)] .. "/matches")
end
LUA
run() { # label conns url [script]
  local out
  if [ -n "${4:-}" ]; then
    out=$(wrk -t2 -c"$2" -d"$duration" --latency -s "$4" -H "authorization: Bearer $admin" "$3")
  else
    out=$(wrk -t2 -c"$2" -d"$duration" --latency -H "authorization: Bearer $admin" "$3")
  fi
  local rps p50 p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "| $1 | $2 | $rps | $p50 | $p99 | ${non2xx:-0} |"
}
echo
echo "### $backend, $(date -u +%Y-%m-%d), $(nproc) cores, wrk -t2 -d$duration"
echo
echo "Load: $load"
echo
echo "Matching every open demand (\`wushe match-all\`, 3 runs): **$match_line**."
echo
echo "| request | clients | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
wrk -t2 -c4 -d5s -s "$work/matches.lua" -H "authorization: Bearer $admin" "$api/" >/dev/null
for c in 4 32; do
  run "ranked matches of a random open demand" "$c" "$api/" "$work/matches.lua"
done
board="$api/orders?place_id=$street"
wrk -t2 -c4 -d5s -H "authorization: Bearer $admin" "$board" >/dev/null
for c in 4 32; do
  run "dispatch board of the street (100,000 orders)" "$c" "$board"
done
rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
echo
echo "Server resident memory: **$((rss / 1024)) MB** (VmRSS)."
