#!/usr/bin/env bash
# Long reads do not hold the writer (issue 12, point 14). Anyone can rerun it:
#
#   bash benches/export_writes.sh sqlite      # embedded SQLite in a fresh temp dir
#   bash benches/export_writes.sh postgres    # PostgreSQL database wushe_bench on 127.0.0.1 (dropped and recreated)
#
# It builds the release binary, loads the city (1,000,000 residents) with `wushe seed-demo --scale city`,
# starts `wushe serve`, and measures with wrk the latency of writes (POST /residents, 8 connections):
# alone, then while an administrator exports residents again and again (each export is the 200,000-row
# maximum), then while a community's 10,000-row sheet is checked again and again as an import dry run.
# On SQLite every write goes through one connection, so a read that held it would stop them all for
# the read's whole length; the exports' and dry runs' own durations are printed beside the figures as
# the wait a write would otherwise have had. It prints a Markdown block (append it to docs/benchmarks.md).
set -euo pipefail
backend=${1:-sqlite}
duration=${DURATION:-20s}
conns=${CONNS:-8}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --bin wushe >&2
bin=target/release/wushe
work=$(mktemp -d)
port=18092
export WUSHE_DATA_DIR="$work/data" WUSHE_ADMIN_PASSWORD="bench-password-1" WUSHE_DEMO=false
export WUSHE_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export WUSHE_ADDR="127.0.0.1:$port" RUST_LOG=warn
if [ "$backend" = postgres ]; then
  psql "postgres://postgres@127.0.0.1:5432/postgres" -qc "DROP DATABASE IF EXISTS wushe_bench" -qc "CREATE DATABASE wushe_bench"
  export WUSHE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/wushe_bench"
else
  unset WUSHE_DATABASE_URL || true
fi
cleanup() { kill "${server:-0}" "${loop_pid:-0}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

$bin seed-demo --scale city >&2
$bin serve > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
api="http://127.0.0.1:$port/api/v1"
json() { python3 -c "import sys,json; d=json.load(sys.stdin); print($1)"; }
admin=$(curl -sf -XPOST "$api/auth/login" -H 'content-type: application/json' -d '{"username":"admin","password":"bench-password-1"}' | json 'd["token"]')
community=$(curl -sf "$api/places?kind=community&limit=1" -H "authorization: Bearer $admin" | json 'd["items"][0]["id"]')
household=$(curl -sf "$api/households?limit=1" -H "authorization: Bearer $admin" | json 'd["items"][0]["id"]')
# The dry runs are a community worker's, as in real use: inside one community every 网格 name is unique.
curl -sf -XPOST "$api/users" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
  -d "{\"username\":\"bench_worker\",\"password\":\"bench-password-1\",\"display_name\":\"bench\",\"roles\":[{\"role\":\"community_worker\",\"place_id\":\"$community\"}]}" >/dev/null
worker=$(curl -sf -XPOST "$api/auth/login" -H 'content-type: application/json' -d '{"username":"bench_worker","password":"bench-password-1"}' | json 'd["token"]')

cat > "$work/write.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $admin"
wrk.body = '{"household_id":"$household","name":"压测居民","sex":"female"}'
LUA
# One community's residents as a sheet in the import's own layout, for the dry runs.
curl -sf "$api/residents/export.xlsx?place_id=$community&unmask=true" -H "authorization: Bearer $admin" -o "$work/community.xlsx"
sheet_rows=$(python3 -c "import zipfile,re; x=zipfile.ZipFile('$work/community.xlsx').read('xl/worksheets/sheet1.xml').decode(); print(len(re.findall('<row ', x)) - 1)")

writes() { # label
  local out rps p50 p99 non2xx
  out=$(wrk -t2 -c"$conns" -d"$duration" --latency -s "$work/write.lua" "$api/residents")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "| $1 | $rps | $p50 | $p99 | ${non2xx:-0} |"
}
# Runs a command again and again until stopped, writing each run's seconds to a file.
again() { # file command... (until $work/stop exists; the run under way is finished, not cut)
  local file=$1; shift
  while [ ! -f "$work/stop" ]; do
    local s e
    s=$(date +%s.%N)
    if "$@" >/dev/null; then e=$(date +%s.%N); echo "$e - $s" | bc >> "$file"; else echo "failed: $*" >&2; echo failed >> "$file.failed"; fi
  done
}
stats() { # file -> "n runs, median X s" (failed runs would be counted apart; none is expected)
  sort -n "$1" | awk '{a[NR]=$1} END {printf "%d runs, median %.2f s, longest %.2f s", NR, a[int((NR+1)/2)], a[NR]}'
  [ -f "$1.failed" ] && printf " (%d failed)" "$(wc -l < "$1.failed")" || true
}
export_all() { curl -sf "$api/residents/export.xlsx" -H "authorization: Bearer $admin" -o "$work/all.xlsx"; }
dry_run() { curl -sf -XPOST "$api/imports/residents" -H "authorization: Bearer $worker" -F "file=@$work/community.xlsx" -F dry_run=true -o "$work/dry.json"; }

echo
echo "### $backend, $(date -u +%Y-%m-%d), $(nproc) cores, writes: wrk -t2 -c$conns -d$duration POST /residents"
echo
echo "| writes | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
wrk -t2 -c"$conns" -d3s -s "$work/write.lua" "$api/residents" >/dev/null
writes "alone"
again "$work/export.times" export_all &
loop_pid=$!
sleep 2
writes "while 200,000-row exports run"
touch "$work/stop"; wait "$loop_pid" 2>/dev/null || true; rm -f "$work/stop"
rows=$(python3 -c "import zipfile,re; x=zipfile.ZipFile('$work/all.xlsx').read('xl/worksheets/sheet1.xml').decode(); print(len(re.findall('<row ', x)) - 1)")
again "$work/dry.times" dry_run &
loop_pid=$!
sleep 2
writes "while ${sheet_rows}-row import dry runs run"
touch "$work/stop"; wait "$loop_pid" 2>/dev/null || true
dry=$(python3 -c "import json; d=json.load(open('$work/dry.json')); print(f\"{d['unchanged']} unchanged, {d['created']} new, {len(d['errors'])} refused\")")
echo
echo "Exports during the run: $(stats "$work/export.times") each ($rows rows); import dry runs: $(stats "$work/dry.times") each ($sheet_rows rows; the last one judged $dry)."
