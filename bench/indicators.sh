#!/usr/bin/env bash
# Importing a year of monthly indicator values for twelve sites (every Qualibail IV
# indicator): the command line twice (first import, then the same file), the import page,
# then the indicators board and one indicator's page. Release build, real server and CLI,
# temporary SQLite (or PostgreSQL with QUALITRACK_TEST_DATABASE_URL).
# Usage: bash bench/indicators.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "database: ${QUALITRACK_TEST_DATABASE_URL:-temporary SQLite}"
cargo test --release --quiet --test app bench::indicator_import_of_a_year_for_twelve_sites \
    -- --ignored --nocapture 2>&1 | grep -E '^(\||machine|database)'
