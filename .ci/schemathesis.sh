#!/usr/bin/env bash
# A bounded schemathesis run over every operation of the OpenAPI document, against a fresh server on
# SQLite or PostgreSQL (argument), with an admin token: zero server errors, zero undocumented status codes
# or content types, zero responses that break their schema. Routes that end the token's own session or
# change its password are left out. Usage: bash .ci/schemathesis.sh sqlite|postgres
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
export WUSHE_DATA_DIR="$dir" WUSHE_DEMO="${WUSHE_DEMO:-false}" WUSHE_ADDR="127.0.0.1:$port"
export WUSHE_ADMIN_PASSWORD="schemathesis-admin-2026" WUSHE_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
db=""
if [ "$backend" = postgres ]; then
  db="wushe_st_$$"
  psql "postgres://postgres@127.0.0.1:5432/test" -qc "CREATE DATABASE $db"
  export WUSHE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
fi
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "$db" ] && psql "postgres://postgres@127.0.0.1:5432/test" -qc "DROP DATABASE IF EXISTS $db" || true
  rm -rf "$dir"
}
trap cleanup EXIT
target/debug/wushe serve > "${ST_SERVER_LOG:-$dir/server.log}" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$WUSHE_ADMIN_PASSWORD\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path-regex '/auth/logout|/me/password|/me/tokens|/users/\{id\}/(disable|password|roles)' \
  --phases examples,coverage,fuzzing -n 5 --seed 1 --no-color --max-time 120
log="${ST_SERVER_LOG:-$dir/server.log}"
if grep -qE "ERROR|panicked" "$log"; then
  echo "the server logged an error during the run:"; grep -E "ERROR|panicked" "$log" | head -20
  exit 1
fi
echo "schemathesis ($backend): no server error, nothing undocumented"
