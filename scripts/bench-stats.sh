#!/usr/bin/env bash
# Statistics benchmark, antitrata against DuckDB in one run on this machine:
#   1. importing the CTDC 2017 file and a 1,000,000-row file sampled from it (fixed seed):
#      `antitrata import ctdc` (whole process: open SQLite, hash, parse, check, store, commit with
#      fsync) against DuckDB's read_csv into an in-memory table (inside Python, start-up excluded);
#   2. a 3-variable cross-tab over the same million rows: criterion on antitrata's columnar table
#      against DuckDB's GROUP BY on its table.
#
#   scripts/bench-stats.sh [SHARED_DATA_DIR]
#
# Needs a release build (cargo build --release -p antitrata) and python3; installs DuckDB from PyPI
# into target/bench-venv. Prints the figures for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

shared="${1:-../shared/data}"
ctdc2017="$shared/ctdc/ctdc-global-dataset-2017-11-27.csv"
[ -f "$ctdc2017" ] || { echo "no $ctdc2017: pass the shared data folder" >&2; exit 1; }
bin=target/release/antitrata
[ -x "$bin" ] || { echo "build first: cargo build --release -p antitrata" >&2; exit 1; }

venv=target/bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import duckdb" 2>/dev/null || "$venv/bin/pip" install -q duckdb
py="$venv/bin/python"

mkdir -p target/bench-data
million=target/bench-data/ctdc-2017-1m.csv
[ -f "$million" ] || "$py" scripts/bench_stats.py make-million "$ctdc2017" "$million"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Median wall time of `antitrata import ctdc FILE` over RUNS runs, each into a fresh database.
import_median() {
    local file=$1 runs=$2 times=()
    for i in $(seq 1 "$runs"); do
        local dir="$work/run-$i"
        mkdir -p "$dir"
        (cd "$dir" && "$OLDPWD/$bin" migrate >/dev/null 2>&1)
        local start end
        start=$(date +%s.%N)
        (cd "$dir" && "$OLDPWD/$bin" import ctdc "$file" >/dev/null)
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc -l)")
        rm -rf "$dir"
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %.3f s (min %.3f, max %.3f, %d runs)\n", a[int((NR+1)/2)], a[1], a[NR], NR}'
}

abs() { (cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")"); }
ctdc2017=$(abs "$ctdc2017")
million=$(abs "$million")

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "== import, CTDC 2017 file (47,102 rows, 5.6 MB)"
echo "antitrata import ctdc: $(import_median "$ctdc2017" 5)"
"$py" scripts/bench_stats.py duckdb-import "$ctdc2017" 5
echo
echo "== import, 1,000,000 rows sampled from it ($(du -h "$million" | cut -f1))"
echo "antitrata import ctdc: $(import_median "$million" 3)"
"$py" scripts/bench_stats.py duckdb-import "$million" 3
echo
echo "== 3-variable cross-tab over the 1,000,000 rows"
"$py" scripts/bench_stats.py duckdb-crosstab "$million" 50
ANTITRATA_BENCH_CSV="$million" cargo bench -q -p antitrata-domain --bench crosstab 2>&1 \
    | grep -E 'records|time:' 
