#!/usr/bin/env bash
# Checks the JSON API against its own OpenAPI document with Schemathesis (pinned, installed from
# PyPI into a virtual environment under target/): a server on SQLite with demo data of GT, and one
# run per role's service token (operator, caseworker, supervisor, regional analyst), every check
# on, the stateful phase following the document's links; then a client generated from the
# document (openapi-python-client, pinned) does a round trip (scripts/client_roundtrip.py).
# Exits non-zero on any failure.
#
#   scripts/api-contract.sh [EXAMPLES]     # test cases per operation and phase (default 25)
#
# ANTITRATA_BIN names the binary (default target/debug/antitrata, which `cargo test` builds).
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/.."
root=$PWD

examples=${1:-25}
bin=${ANTITRATA_BIN:-$root/target/debug/antitrata}
venv=$root/target/schemathesis-4.32.5
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
generator=$root/target/openapi-python-client-0.29.1
if [ ! -x "$generator/bin/openapi-python-client" ]; then
    python3 -m venv "$generator"
    "$generator/bin/pip" install -q "openapi-python-client==0.29.1"
fi
[ -x "$bin" ] || cargo build -q -p antitrata

work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
export ANTITRATA_LOG_LEVEL=warn

"$bin" migrate >/dev/null
"$bin" demo-data --country GT --cases 50 --seed 29 >/dev/null

token_for() {
    local role=$1
    "$bin" user add --email "$role@contract.example" --role "$role" --country GT --service >/dev/null
    "$bin" token create --email "$role@contract.example" --name contract --days 1 \
        | grep -o 'atk_[A-Za-z0-9_-]*' | head -1
}
declare -A tokens
for role in operator caseworker supervisor regional-analyst; do
    tokens[$role]=$(token_for "$role")
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null

curl -sf "http://127.0.0.1:$port/api/v1/openapi.json" > "$work/openapi.json"
export ANTITRATA_OPENAPI="$work/openapi.json"

status=0
for role in operator caseworker supervisor regional-analyst; do
    printf '\n==> Schemathesis as %s\n' "$role"
    (cd "$root" && "$venv/bin/schemathesis" --config-file scripts/schemathesis.toml --no-color \
        run "http://127.0.0.1:$port/api/v1/openapi.json" \
        --checks all \
        --header "Authorization: Bearer ${tokens[$role]}" \
        --max-examples "$examples" \
        --seed 29 \
        --workers 1) \
        || status=1
done
printf '\n==> A client generated from the document, as a caseworker\n'
"$generator/bin/openapi-python-client" generate --path "$work/openapi.json" \
    --output-path "$work/client/antitrata_api_client" --meta none >"$work/generator.log" 2>&1 \
    || { cat "$work/generator.log"; status=1; }
"$generator/bin/python" "$root/scripts/client_roundtrip.py" "$work/client" \
    "http://127.0.0.1:$port" "${tokens[caseworker]}" || status=1

if grep -q ' ERROR ' "$work/server.log"; then
    echo "the server logged errors:"
    grep ' ERROR ' "$work/server.log" | head -20
    status=1
fi
exit $status
