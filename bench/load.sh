#!/usr/bin/env bash
# Load on the federation-scale dataset: builds in release mode, generates N organismes
# (default 600) into a fresh SQLite database (or the empty PostgreSQL database named by
# QUALITRACK_BENCH_DATABASE_URL), starts the server, signs in with the generated accounts and
# drives each page with wrk at several concurrencies. Prints a Markdown table: throughput,
# p50/p99 latency, errors, and throughput as a share of a static file served by the same
# server; then the server's peak memory.
# Usage: bash bench/load.sh [N]        (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-600}"
DURATION="${DURATION:-10s}"
CONCURRENCY="${CONCURRENCY:-1 4 16}"
source bench/common.sh
ref="T1.1"
version=1

# Saving a finding: the same content each time; after the first save the others are retries
# of it, which the server recognises and answers without writing again.
cat >"$work/save.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["HX-Request"] = "true"
wrk.headers["Cookie"] = "$auditor_cookie"
wrk.body = "csrf_token=$csrf&grade_code=point-fort&finding=Proc%C3%A9dure+appliqu%C3%A9e&version=$version"
LUA

echo "audit: $requirements requirements, $(query "SELECT COUNT(*) FROM findings WHERE audit_id = '$audit'") findings; organisme: $org"
echo
echo "| page | clients | requests/s | p50 ms | p99 ms | errors | share of static |"
echo "|---|---:|---:|---:|---:|---:|---:|"
run "static file (baseline)" "" "/static/css/app.css"
run "findings screen of the audit" "$auditor_cookie" "/audits/$audit/constats"
run "saving a finding" "" "/audits/$audit/constats/$ref" "$work/save.lua"
run "organisme page" "$staff" "/organismes/$org"
run "indicators board (largest organisme, its quality manager)" "$manager" "/organismes/$org/indicateurs"
run "federation dashboard" "$staff" "/federation"
run "calendar" "$staff" "/calendrier"
run "audit report PDF" "$staff" "/audits/$decided/rapport.pdf"
echo
echo "peak server memory: $(grep VmHWM /proc/$server/status | awk '{printf "%.0f MB", $2/1024}')"
