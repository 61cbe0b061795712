#!/usr/bin/env bash
# The domain's property tests with many more cases than `cargo test` runs (issue 25's fuzzing
# profile): contact submissions, case references, the CTDC reader on arbitrary bytes, and the
# case workflow; then the content pages' Markdown sanitizer (antitrata-web, `content::tests`). Any failure is saved by proptest under crates/antitrata-domain/tests/
# proptest-regressions/ and replayed by every later `cargo test`: commit that file with the fix.
# `cargo fuzz` (libFuzzer) needs a nightly toolchain, which this project's machines cannot fetch.
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_CASES="${1:-50000}"
time cargo test -q --release -p antitrata-domain --test it
time cargo test -q --release -p antitrata-web --lib content::tests
