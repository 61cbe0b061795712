#!/usr/bin/env bash
# The crash harness's long profile (issue 25): `antitrata serve` killed with SIGKILL 100 times per
# backend (or as many as the first argument says) while workers write over the JSON API; every
# acknowledged write must be present and whole afterwards, and the audit chain must verify. The
# short profile (10 kills) runs in `cargo test`. Prints "N acknowledged, N present, 0 lost" per
# backend; needs PostgreSQL (ANTITRATA_TEST_PG_URL, by default the local one).
set -euo pipefail
cd "$(dirname "$0")/.."
export ANTITRATA_CRASH_KILLS="${1:-100}"
export ANTITRATA_TEST_PG_URL="${ANTITRATA_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo test -q -p antitrata --test it crash -- --nocapture --test-threads 1
