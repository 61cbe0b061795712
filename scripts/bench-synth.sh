#!/usr/bin/env bash
# Synthetic-data benchmark, antitrata against the reference tools in one run on this machine, on
# the same inputs, ε = 4:
#   - antitrata `release --method dp-synthetic` (whole process: open SQLite, read the dataset,
#     synthesize, evaluate, write the bundle);
#   - pac-synth (SDS's DP aggregate-seeded synthesizer), smartnoise-synth MST and AIM, each in its
#     own Python process (start-up and reading the CSV included);
# each timed with /usr/bin/time (wall seconds, peak resident memory), then every output measured
# by the same evaluation (scripts/bench_synth.py evaluate): mean total variation distance of all
# 1-, 2- and 3-way marginals, SDS's suppressed and fabricated combinations, the mean absolute
# error of combination counts, and the share of rare input combinations in the output. A
# k-anonymous release of the CTDC file is checked with pycanon.
#
#   scripts/bench-synth.sh [SHARED_DATA_DIR] [TOOLS]
#
# TOOLS is a comma-separated subset of antitrata,pacsynth,mst,aim (default: all; AIM runs on the
# generated table only, with a time limit of AIM_TIMEOUT seconds, default 1800). Needs a release
# build (cargo build --release -p antitrata) and python3; installs the reference tools from PyPI
# into target/synth-venv. Prints the figures for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

shared="${1:-../shared/data}"
tools="${2:-antitrata,pacsynth,mst,aim}"
ctdc2017="$shared/ctdc/ctdc-global-dataset-2017-11-27.csv"
[ -f "$ctdc2017" ] || { echo "no $ctdc2017: pass the shared data folder" >&2; exit 1; }
bin=$PWD/target/release/antitrata
[ -x "$bin" ] || { echo "build first: cargo build --release -p antitrata" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

venv=target/synth-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c "import pacsynth, snsynth, pycanon" 2>/dev/null; then
    "$venv/bin/pip" install -q pac-synth==0.0.8 "mbi>=1.1.0,<2" "disjoint-set>=0.9,<0.10" \
        Faker smartnoise-sql pandas numpy pycanon
    # smartnoise-synth's opacus (and with it torch) serves only its GAN synthesizers.
    "$venv/bin/pip" install -q --no-deps smartnoise-synth==1.0.8
fi
py=$PWD/$venv/bin/python
script=$PWD/scripts/bench_synth.py

mkdir -p target/bench-data
generated=$PWD/target/bench-data/generated-50k.csv
[ -f "$generated" ] || "$py" "$script" make-table "$generated" 50000 7
ctdc2017=$(cd "$(dirname "$ctdc2017")" && echo "$PWD/$(basename "$ctdc2017")")
generated_columns=yearOfRegistration,Datasource,gender,ageBroad,majorityStatus,citizenship,CountryOfExploitation,isSexualExploit,isForcedLabour,meansOfControlDebtBondage

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The CTDC file's columns that have a codebook domain: the ones antitrata synthesizes.
ctdc_columns=$(cd "$work" && "$bin" migrate >/dev/null 2>&1 \
    && "$bin" import ctdc "$ctdc2017" --dataset ctdc >/dev/null \
    && "$bin" release --dataset ctdc --method dp-synthetic --epsilon 4 --country GT \
        --out probe >/dev/null && head -1 probe/data.csv)
rm -rf "$work"/*

wants() { [[ ",$tools," == *",$1,"* ]]; }

# The evaluation's reach: combinations of up to this many values for SDS's metrics, and this
# many 3-way marginals at most. The CTDC file's 57 columns (23 values a record on average) make
# all 3-value combinations (~120 million) and all 29,260 triples too slow for Python.
length=3
triples=200

# measure LABEL INPUT COLUMNS OUTPUT -- COMMAND...: runs COMMAND under /usr/bin/time, then the
# evaluation of OUTPUT against INPUT; prints one line.
measure() {
    local label=$1 input=$2 columns=$3 output=$4
    shift 5
    local timing="$work/time-$label"
    if ! /usr/bin/time -f "%e %M" -o "$timing" "$@" >"$work/log-$label" 2>&1; then
        echo "$label: failed or timed out after $(cut -d' ' -f1 "$timing" 2>/dev/null) s"
        tail -3 "$work/log-$label"
        return
    fi
    local metrics
    metrics=$("$py" "$script" evaluate "$input" "$output" "$columns" 11 "$length" "$triples")
    read -r seconds kilobytes <"$timing"
    "$py" - "$label" "$seconds" "$kilobytes" "$metrics" <<'EOF'
import json, sys
label, seconds, kb, m = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
print(f"{label:<16} {seconds:8.1f} s {kb / 1024:8.0f} MB   rows {m['output_rows']:>6}   "
      f"TVD 1-way {m['tvd_1']:.3f} 2-way {m['tvd_2']:.3f} (max {m['tvd_2_max']:.3f}) "
      f"3-way {m['tvd_3']:.3f} (max {m['tvd_3_max']:.3f})   SDS: suppressed {m['suppressed_pct']:.1f}% "
      f"fabricated {m['fabricated_pct']:.1f}% MAE {m['combination_mae']:.1f} "
      f"rare-in-output {m['rare_released_pct']:.1f}%")
EOF
}

antitrata_release() {
    local label=$1 input=$2 columns=$3
    local dir
    dir=$(mktemp -d -p "$work")
    (cd "$dir" && "$bin" migrate >/dev/null 2>&1 && "$bin" import ctdc "$input" --dataset input >/dev/null)
    measure "$label" "$input" "$columns" "$dir/out/data.csv" -- \
        sh -c "cd '$dir' && '$bin' release --dataset input --method dp-synthetic --epsilon 4 \
            --country GT --by '$columns' --out out"
}

run_all() {
    local name=$1 input=$2 columns=$3
    echo "== $name ($(($(wc -l <"$input") - 1)) rows, $(echo "$columns" | tr ',' '\n' | wc -l) columns), epsilon 4"
    if wants antitrata; then
        for run in 1 2 3; do antitrata_release "antitrata-$run" "$input" "$columns"; done
    fi
    if wants pacsynth; then
        measure pac-synth "$input" "$columns" "$work/pacsynth-$name.csv" -- \
            "$py" "$script" run pacsynth "$input" "$work/pacsynth-$name.csv" 4 "$columns"
    fi
    if wants mst; then
        measure smartnoise-mst "$input" "$columns" "$work/mst-$name.csv" -- \
            "$py" "$script" run mst "$input" "$work/mst-$name.csv" 4 "$columns"
    fi
    if wants aim && [ "$name" = generated ]; then
        measure smartnoise-aim "$input" "$columns" "$work/aim-$name.csv" -- \
            timeout "${AIM_TIMEOUT:-1800}" "$py" "$script" run aim "$input" "$work/aim-$name.csv" 4 "$columns"
    fi
    echo
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
run_all generated "$generated" "$generated_columns"
length=2
triples=2000
run_all ctdc-2017 "$ctdc2017" "$ctdc_columns"

echo "== k-anonymity of a CTDC 2017 release (k = 11, CTDC's quasi-identifiers), checked by pycanon"
dir="$work/kanon"
mkdir -p "$dir"
(cd "$dir" && "$bin" migrate >/dev/null 2>&1 && "$bin" import ctdc "$ctdc2017" --dataset ctdc >/dev/null \
    && "$bin" release --dataset ctdc --method kanon --k 11 --out out >/dev/null)
"$py" "$script" kanon-check "$dir/out/data.csv" \
    yearOfRegistration,Datasource,gender,ageBroad,citizenship,CountryOfExploitation 11
