#!/usr/bin/env bash
# Concurrent writers on the federation-scale dataset (see bench/common.sh for the set-up):
# W writers post indicator values through the API (each request one value of one organisme,
# organismes and months in turn, the value changing every time: every request is a real write
# with its history row), while two readers load the federation dashboard, two the findings
# screen of a 300-requirement audit and two the indicators board of the largest organisme.
# Prints, per number of writers, the writes' throughput, latency and errors, and the reads'
# throughput and latency measured during the writes; then the server's peak memory.
# Usage: bash bench/writers.sh [N]     (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-600}"
DURATION="${DURATION:-10s}"
WRITERS="${WRITERS:-1 4 16 64}"
CONCURRENCY="1"
source bench/common.sh

token=$("$bin" token create --user admin@qualitrack.test --name bench | tail -1)
# One monthly percentage indicator per organisme, among its frameworks'.
query "SELECT o.siren, MIN(i.code) FROM organisations o
       JOIN commitments c ON c.organisation_id = o.id
       JOIN framework_indicators i ON i.framework_id = c.framework_id
       WHERE i.frequency = 'monthly' AND i.unit = 'percent'
       GROUP BY o.siren ORDER BY o.siren" >"$work/targets"
targets=$(awk -F'|' '{printf "{\"%s\",\"%s\"},", $1, $2}' "$work/targets")

cat >"$work/write.lua" <<LUA
local targets = { $targets }
local n = 0
-- Each wrk thread starts elsewhere in the sequence (setup sets its global), so threads do
-- not repeat each other.
offset = 0
function setup(thread)
    thread:set("offset", math.random(0, 1000000))
end
function request()
    n = n + 1
    local i = n + offset
    local t = targets[(i % #targets) + 1]
    local month = math.floor(i / #targets) % 240
    local body = string.format(
        '{"organisation":"%s","values":[{"indicator":"%s","period":"%04d-%02d","value":%d}]}',
        t[1], t[2], 2006 + math.floor(month / 12), month % 12 + 1, 40 + i % 60)
    return wrk.format("POST", "/api/v1/indicator-values", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer $token",
    }, body)
end
LUA

row() { # $1 wrk output: requests/s p50 p99 errors
    awk '
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        /Non-2xx or 3xx/ { errors += $NF }
        /Socket errors/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        END { printf "%.0f | %.1f | %.1f | %d", rps, ms(p50), ms(p99), errors }' "$1"
}

echo "targets: $(wc -l <"$work/targets") organismes; audit: $requirements requirements"
echo
echo "| writers | writes/s | p50 ms | p99 ms | errors | dashboard reads/s | p50 ms | p99 ms | errors | findings screen reads/s | p50 ms | p99 ms | errors | indicators board reads/s | p50 ms | p99 ms | errors |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for w in $WRITERS; do
    wrk "-t$((w < 2 ? w : 2))" "-c$w" -d "$DURATION" --latency -s "$work/write.lua" \
        "$base/api/v1/indicator-values" >"$work/writes.out" 2>&1 &
    writes=$!
    wrk -t1 -c2 -d "$DURATION" --latency -H "Cookie: $staff" "$base/federation" \
        >"$work/dashboard.out" 2>&1 &
    dashboard=$!
    wrk -t1 -c2 -d "$DURATION" --latency -H "Cookie: $manager" \
        "$base/organismes/$org/indicateurs" >"$work/board.out" 2>&1 &
    board=$!
    wrk -t1 -c2 -d "$DURATION" --latency -H "Cookie: $auditor_cookie" \
        "$base/audits/$audit/constats" >"$work/findings.out" 2>&1
    wait "$writes" "$dashboard" "$board"
    echo "| $w | $(row "$work/writes.out") | $(row "$work/dashboard.out") | $(row "$work/findings.out") | $(row "$work/board.out") |"
    for f in writes dashboard findings board; do
        grep -E 'Non-2xx|Socket errors' "$work/$f.out" | sed "s/^/  $w writers, $f: /" >>"$work/errors" || true
    done
done
if [ -s "$work/errors" ]; then
    echo
    echo "errors as wrk counted them (a timeout is an answer slower than wrk's 2 s):"
    cat "$work/errors"
fi
if grep -q ERROR "$work/server.log"; then
    echo "server errors: $(grep -c ERROR "$work/server.log"), first: $(grep -m1 ERROR "$work/server.log")"
fi
echo
echo "values written: $(query "SELECT COUNT(*) FROM history WHERE entity = 'indicator_values' AND actor_label = 'admin@qualitrack.test'") history rows"
echo "peak server memory: $(grep VmHWM /proc/$server/status | awk '{printf "%.0f MB", $2/1024}')"
