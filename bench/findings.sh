#!/usr/bin/env bash
# The findings screen of a 300-requirement audit: builds in release mode, starts the real
# server on a temporary SQLite database (or PostgreSQL with QUALITRACK_TEST_DATABASE_URL),
# fills the audit through HTTP and prints a Markdown table of latencies.
# Usage: bash bench/findings.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "database: ${QUALITRACK_TEST_DATABASE_URL:-temporary SQLite}"
cargo test --release --quiet --test app bench::findings_screen_of_a_300_requirement_audit \
    -- --ignored --nocapture 2>&1 | grep -E '^(\||machine|database)'
