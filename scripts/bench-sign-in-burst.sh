#!/usr/bin/env bash
# The public directory during a burst of sign-ins (issue 30): wrk on /es/gt alone, then again
# while 32 accounts sign in from 32 threads without pause. Argon2 must not take the public site's
# threads: the burst's p99 should stay within twice the quiet p99.
#
#   scripts/bench-sign-in-burst.sh BINARY [DURATION_SECONDS] [LABEL]
#
# Needs: wrk (Debian package `wrk`), curl, python3 and a release build. Only 127.0.0.1 is
# contacted; every run is bounded by DURATION_SECONDS and the script stops what it started.
set -euo pipefail
bin=$(realpath "$1")
duration="${2:-20}"
label="${3:-$bin}"
port=18090
accounts=32
here=$(cd "$(dirname "$0")" && pwd)
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }

work=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
db="sqlite://$work/data/antitrata.db"
cd "$work"
# Each signing-in thread comes "through" 127.0.0.1 with an address of its own, as visitors behind
# a reverse proxy do: no throttle applies, every sign-in costs a full Argon2 check.
printf '[server]\ntrusted_proxies = ["127.0.0.1"]\n' >"$work/antitrata.toml"
export ANTITRATA_CONFIG="$work/antitrata.toml"
"$bin" --database "$db" migrate >/dev/null 2>&1
: >"$work/links"
: >"$work/emails"
for n in $(seq 1 "$accounts"); do
    email="analyst-$n@example.org"
    echo "$email" >>"$work/emails"
    "$bin" --database "$db" user add --email "$email" --role regional-analyst 2>/dev/null \
        | grep -o 'http://[^ ]*/console/setup/[^ ]*' >>"$work/links"
done
"$bin" --database "$db" serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
python3 "$here/bench_sign_in_burst.py" setup "http://127.0.0.1:$port" "$work/links"

p99() { awk '/ 99%/ { print $2 }'; }
p50() { awk '/ 50%/ { print $2 }'; }
rate() { awk '/Requests\/sec/ { print $2 }'; }
wrk -t1 -c8 -d"${duration}s" --latency "http://127.0.0.1:$port/es/gt" >"$work/quiet.txt"
python3 "$here/bench_sign_in_burst.py" burst "http://127.0.0.1:$port" "$work/emails" \
    "$((duration + 2))" >"$work/burst.txt" &
burst=$!
sleep 1
wrk -t1 -c8 -d"${duration}s" --latency "http://127.0.0.1:$port/es/gt" >"$work/loaded.txt"
wait "$burst"
echo "| $label | quiet | $(rate <"$work/quiet.txt") | $(p50 <"$work/quiet.txt") | $(p99 <"$work/quiet.txt") | |"
echo "| $label | 32 signing in | $(rate <"$work/loaded.txt") | $(p50 <"$work/loaded.txt") | $(p99 <"$work/loaded.txt") | $(cat "$work/burst.txt") |"
