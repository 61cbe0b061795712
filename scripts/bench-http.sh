#!/usr/bin/env bash
# Load benchmark of the public directory over loopback: antitrata against nginx serving the very
# same bytes as static files, in one run, on this machine. Prints a Markdown table for BENCHMARKS.md.
#
#   scripts/bench-http.sh [DURATION_SECONDS] [CONNECTIONS]
#
# Needs: wrk and nginx (Debian packages `wrk`, `nginx-light`), curl, and a release build
# (cargo build --release -p antitrata). Only 127.0.0.1 is contacted; every run is bounded by
# DURATION_SECONDS and the script stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-15}"
connections="${2:-64}"
app_port=18080
nginx_port=18081
bin=target/release/antitrata
[ -x "$bin" ] || { echo "build first: cargo build --release -p antitrata" >&2; exit 1; }
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || { echo "install nginx: apt-get install nginx-light" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as an unprivileged user
app_pid=""; nginx_pid=""
cleanup() {
    [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# antitrata on a fresh SQLite database, logging every request as it does in production.
(cd "$work" && exec "$OLDPWD/$bin" serve --addr "127.0.0.1:$app_port" >"$work/antitrata.log" 2>&1) &
app_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$app_port/healthz" >/dev/null && break; sleep 0.1; done

# The same bytes as static files for nginx.
mkdir -p "$work/www/es/guide" "$work/www/api/v1"
curl -sf "http://127.0.0.1:$app_port/es/gt" >"$work/www/es/gt"
curl -sf "http://127.0.0.1:$app_port/es/guide/warning-signs" >"$work/www/es/guide/warning-signs"
curl -sf "http://127.0.0.1:$app_port/api/v1/hotlines" >"$work/www/api/v1/hotlines"
cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log $work/nginx-access.log;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
        location = /es/gt { default_type "text/html; charset=utf-8"; }
        location = /es/guide/warning-signs { default_type "text/html; charset=utf-8"; }
        location = /api/v1/hotlines { default_type application/json; }
    }
}
CONF
chmod -R a+rX "$work/www"
"$nginx_bin" -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$nginx_port/es/gt" >/dev/null && break; sleep 0.1; done
cmp <(curl -sf "http://127.0.0.1:$app_port/es/gt") <(curl -sf "http://127.0.0.1:$nginx_port/es/gt")
cmp <(curl -sf "http://127.0.0.1:$app_port/es/guide/warning-signs") \
    <(curl -sf "http://127.0.0.1:$nginx_port/es/guide/warning-signs")

run() { # name url
    local out rps p99
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$2")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    printf '| %s | %s | %s | %s |\n' "$1" "${2#http://127.0.0.1}" "$rps" "$p99"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "wrk -t2 -c$connections -d${duration}s --latency ($(wrk -v 2>&1 | head -1 | cut -d" " -f1-2)), nginx $("$nginx_bin" -v 2>&1 | cut -d/ -f2)"
echo
echo "| server | path | requests/s | p99 latency |"
echo "| --- | --- | ---: | ---: |"
run "nginx (static file)" "http://127.0.0.1:$nginx_port/es/gt"
run "antitrata" "http://127.0.0.1:$app_port/es/gt"
run "nginx (static file)" "http://127.0.0.1:$nginx_port/es/guide/warning-signs"
run "antitrata" "http://127.0.0.1:$app_port/es/guide/warning-signs"
run "nginx (static file)" "http://127.0.0.1:$nginx_port/api/v1/hotlines"
run "antitrata" "http://127.0.0.1:$app_port/api/v1/hotlines"
