#!/usr/bin/env bash
# Volunteer-scale benchmark (issue 4). Anyone can rerun it:
#
#   bash benches/volunteers.sh sqlite       # embedded SQLite in a fresh temp dir
#   bash benches/volunteers.sh postgres     # PostgreSQL database wushe_bench_v on 127.0.0.1 (dropped and recreated)
#
# It loads the city (`wushe seed-demo --scale city`), then 300,000 volunteers and 10,000,000 service records
# over three years, each with its points entry (`wushe seed-volunteers`), starts `wushe serve` and measures:
# a volunteer's balance and year points (`GET /volunteers/{id}/points`, a random volunteer per request, wrk),
# the monthly hours chart of a street over three years (`GET /service-hours/monthly`, wrk), and recording an
# activity's hours for 200 volunteers in one request (`POST /activities/{id}/hours`, ten runs with curl). It
# prints a Markdown block for docs/benchmarks.md.
set -euo pipefail
backend=${1:-sqlite}
duration=${DURATION:-15s}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --bin wushe >&2
bin=target/release/wushe
work=$(mktemp -d)
port=18093
export WUSHE_DATA_DIR="$work/data" WUSHE_ADMIN_PASSWORD="bench-password-1" WUSHE_DEMO=false
export WUSHE_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export WUSHE_ADDR="127.0.0.1:$port" RUST_LOG=warn
if [ "$backend" = postgres ]; then
  psql "postgres://postgres@127.0.0.1:5432/postgres" -qc "DROP DATABASE IF EXISTS wushe_bench_v" -qc "CREATE DATABASE wushe_bench_v"
  export WUSHE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/wushe_bench_v"
else
  unset WUSHE_DATABASE_URL || true
fi
cleanup() { kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

$bin seed-demo --scale city >&2
start=$(date +%s.%N)
$bin seed-volunteers >&2
load_s=$(echo "$(date +%s.%N) - $start" | bc)

$bin serve > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
api="http://127.0.0.1:$port/api/v1"
json() { python3 -c "import sys,json; d=json.load(sys.stdin); print($1)"; }
admin=$(curl -sf -XPOST "$api/auth/login" -H 'content-type: application/json' -d '{"username":"admin","password":"bench-password-1"}' | json 'd["token"]')
street=$(curl -sf "$api/places?kind=street&limit=1" -H "authorization: Bearer $admin" | json 'd["items"][0]["id"]')
community=$(curl -sf "$api/places?kind=community&limit=1" -H "authorization: Bearer $admin" | json 'd["items"][0]["id"]')
curl -sf -XPOST "$api/users" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
  -d "{\"username\":\"bench_worker\",\"password\":\"bench-password-1\",\"display_name\":\"bench\",\"roles\":[{\"role\":\"community_worker\",\"place_id\":\"$community\"}]}" >/dev/null
worker=$(curl -sf -XPOST "$api/auth/login" -H 'content-type: application/json' -d '{"username":"bench_worker","password":"bench-password-1"}' | json 'd["token"]')
curl -sf "$api/volunteers?community_id=$community&limit=500" -H "authorization: Bearer $worker" | json '"\n".join(v["id"] for v in d["items"])' > "$work/ids"
year=$(date -u +%Y)
from=$(date -u -d '3 years ago' +%Y-%m)
to=$(date -u +%Y-%m)
cat > "$work/points.lua" <<LUA
ids = {}
for line in io.lines("$work/ids") do ids[#ids + 1] = line end
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/volunteers/" .. ids[math.random(#ids)] .. "/points?year=$year")
end
LUA

run() { # label conns token url [script]
  local out
  if [ -n "${5:-}" ]; then
    out=$(wrk -t2 -c"$2" -d"$duration" --latency -s "$5" -H "authorization: Bearer $3" "$4")
  else
    out=$(wrk -t2 -c"$2" -d"$duration" --latency -H "authorization: Bearer $3" "$4")
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
echo "Load: \`wushe seed-volunteers\` took **${load_s%.*} s** (300,000 volunteers, 10,000,000 service records and as many points entries, after the city)."
echo
echo "| request | clients | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
wrk -t2 -c4 -d10s -s "$work/points.lua" -H "authorization: Bearer $worker" "$api/" >/dev/null
for c in 4 32; do
  run "balance and year points of a random volunteer" "$c" "$worker" "$api/" "$work/points.lua"
done
chart="$api/service-hours/monthly?place_id=$street&from=$from&to=$to"
wrk -t2 -c4 -d10s -H "authorization: Bearer $admin" "$chart" >/dev/null
for c in 4 32; do
  run "monthly hours chart of a street, 3 years" "$c" "$admin" "$chart"
done

# Hours for 200 volunteers in one request: ten activities, one sheet each.
head -200 "$work/ids" | python3 -c "import sys,json; print(json.dumps({'lines': [{'volunteer_id': l.strip(), 'minutes': 60} for l in sys.stdin if l.strip()]}))" > "$work/sheet.json"
starts=$(date -u -d '3 hours ago' +%Y-%m-%dT%H:%M:%SZ)
ends=$(date -u -d '2 hours ago' +%Y-%m-%dT%H:%M:%SZ)
: > "$work/times"
for i in $(seq 1 10); do
  aid=$(curl -sf -XPOST "$api/activities" -H "authorization: Bearer $worker" -H 'content-type: application/json' \
    -d "{\"title\":\"清扫 $i\",\"community_id\":\"$community\",\"starts_at\":\"$starts\",\"ends_at\":\"$ends\",\"place_text\":\"楼道\",\"capacity\":500}" | json 'd["id"]')
  curl -sf -XPOST "$api/activities/$aid/publish" -H "authorization: Bearer $worker" >/dev/null
  curl -sf -o /dev/null -w '%{time_total}\n' -XPOST "$api/activities/$aid/hours" -H "authorization: Bearer $worker" \
    -H 'content-type: application/json' --data-binary @"$work/sheet.json" >> "$work/times"
done
sort -n "$work/times" | awk '{t[NR]=$1*1000} END {printf "| hours for 200 volunteers in one request (10 runs) | 1 | | median %.0fms | max %.0fms | 0 |\n", t[int((NR+1)/2)], t[NR]}'
rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
echo
echo "Server resident memory: **$((rss / 1024)) MB** (VmRSS)."
echo
echo "\`wushe check\` after the run: $($bin check 2>&1 | tail -1)"
