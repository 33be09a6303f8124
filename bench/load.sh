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
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
work="$(mktemp -d)"
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet
bin="$PWD/target/release/qualitrack"
export QUALITRACK_DATA_DIR="$work/data"
export QUALITRACK_DATABASE_URL="${QUALITRACK_BENCH_DATABASE_URL:-sqlite://$work/bench.db}"
export RUST_LOG=error
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date +%F)"
echo "database: ${QUALITRACK_DATABASE_URL%%:*}, $N organismes; wrk $DURATION per run"
"$bin" generate --organisations "$N" --seed 1 >"$work/generate.out" 2>/dev/null
password=$(grep -o 'shown only once): .*' "$work/generate.out" | sed 's/.*: //')

# What to load: the largest audit still open to findings and its lead auditor, a requirement
# of it, a decided audit for the PDF report, the largest organisme.
query() {
    if [[ "$QUALITRACK_DATABASE_URL" == sqlite://* ]]; then
        python3 -c 'import sqlite3,sys; [print("|".join(map(str, r))) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]' \
            "${QUALITRACK_DATABASE_URL#sqlite://}" "$1"
    else
        psql -tA "$QUALITRACK_DATABASE_URL" -c "$1"
    fi
}
IFS='|' read -r audit auditor requirements < <(query "
    SELECT a.id, u.email, COUNT(r.id) FROM audits a
    JOIN users u ON u.id = a.lead_auditor_id
    JOIN framework_requirements r ON r.framework_id = a.framework_id AND r.parent_ref IS NOT NULL
    WHERE a.state IN ('preparation', 'on_site')
    GROUP BY a.id, u.email ORDER BY COUNT(r.id) DESC, a.id LIMIT 1")
IFS='|' read -r ref version < <(query "
    SELECT r.ref, COALESCE(f.version, 0) FROM audits a
    JOIN framework_requirements r ON r.framework_id = a.framework_id AND r.parent_ref IS NOT NULL
    LEFT JOIN findings f ON f.audit_id = a.id AND f.requirement_ref = r.ref
    WHERE a.id = '$audit' ORDER BY r.position LIMIT 1")
decided=$(query "SELECT id FROM audits WHERE state IN ('decided', 'closed') ORDER BY id LIMIT 1")
org=$(query "SELECT id FROM organisations ORDER BY homes DESC, id LIMIT 1")

port=$((20000 + RANDOM % 20000))
QUALITRACK_BIND="127.0.0.1:$port" "$bin" serve >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

login() { # $1 e-mail, $2 cookie jar; prints the session cookie
    local token
    token=$(curl -fs -c "$2" -b "$2" "$base/connexion" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
    curl -fs -o /dev/null -c "$2" -b "$2" --data-urlencode "csrf_token=$token" \
        --data-urlencode "email=$1" --data-urlencode "password=$password" "$base/connexion"
    grep qualitrack_session "$2" | awk '{print $6"="$7}'
}
staff=$(login federation@qualitrack.test "$work/staff")
auditor_cookie=$(login "$auditor" "$work/auditor")
csrf=$(curl -fs -H "Cookie: $auditor_cookie" "$base/audits/$audit/constats" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')

# Saving a finding: the same content each time; after the first save the others are retries
# of it, which the server recognises and answers without writing again.
cat >"$work/save.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["HX-Request"] = "true"
wrk.headers["Cookie"] = "$auditor_cookie"
wrk.body = "csrf_token=$csrf&grade_code=$(query "SELECT code FROM framework_grades g JOIN audits a ON a.framework_id = g.framework_id WHERE a.id = '$audit' AND g.severity = 0 AND g.code <> 'point-fort' LIMIT 1")&finding=Proc%C3%A9dure+appliqu%C3%A9e&version=$version"
LUA

declare -A static_rps=()
run() { # $1 label, $2 cookie, $3 path, [$4 lua script]
    for c in $CONCURRENCY; do
        local args=("-t$((c < 2 ? c : 2))" "-c$c" -d "$DURATION" --latency)
        [ -n "$2" ] && args+=(-H "Cookie: $2")
        [ -n "${4:-}" ] && args+=(-s "$4")
        wrk "${args[@]}" "$base$3" >"$work/wrk.out" 2>&1
        awk -v label="$1" -v c="$c" -v base_rps="${static_rps[$c]:-0}" '
            /Requests\/sec/ { rps = $2 }
            /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
            /Non-2xx or 3xx/ { errors += $NF }
            /Socket errors/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
            function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
            END {
                share = base_rps > 0 ? sprintf("%.1f %%", rps / base_rps * 100) : "100 %"
                printf "| %s | %d | %.0f | %.1f | %.1f | %d | %s |\n", label, c, rps, ms(p50), ms(p99), errors, share
            }' "$work/wrk.out"
        if [ "$3" = "/static/css/app.css" ]; then
            static_rps[$c]=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
        fi
    done
}

echo "largest open audit: $requirements requirements; organisme: $org"
echo
echo "| page | clients | requests/s | p50 ms | p99 ms | errors | share of static |"
echo "|---|---:|---:|---:|---:|---:|---:|"
run "static file (baseline)" "" "/static/css/app.css"
run "findings screen of the audit" "$auditor_cookie" "/audits/$audit/constats"
run "saving a finding" "" "/audits/$audit/constats/$ref" "$work/save.lua"
run "organisme page" "$staff" "/organismes/$org"
run "federation dashboard" "$staff" "/federation"
run "calendar" "$staff" "/calendrier"
run "audit report PDF" "$staff" "/audits/$decided/rapport.pdf"
echo
echo "peak server memory: $(grep VmHWM /proc/$server/status | awk '{printf "%.0f MB", $2/1024}')"
