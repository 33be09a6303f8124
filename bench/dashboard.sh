#!/usr/bin/env bash
# The federation dashboard and its drill-downs on the federation-scale dataset: builds in
# release mode, generates N organismes (default 600) into a fresh database, starts the real
# server and times each page with curl, one client, signed in as national federation staff
# and as regional staff. Prints a Markdown table (p50, p90, max in ms, size in KB).
# Usage: bash bench/dashboard.sh [N]        (PostgreSQL: QUALITRACK_BENCH_DATABASE_URL=postgres://…)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-600}"
RUNS="${RUNS:-20}"
work="$(mktemp -d)"
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet
bin=target/release/qualitrack
export QUALITRACK_DATA_DIR="$work/data"
export QUALITRACK_DATABASE_URL="${QUALITRACK_BENCH_DATABASE_URL:-sqlite://$work/bench.db}"
export RUST_LOG=error
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "database: ${QUALITRACK_DATABASE_URL%%:*}, $N organismes"

start=$(date +%s%N)
"$bin" generate --organisations "$N" --seed 1 >/dev/null 2>"$work/generate.log"
echo "generate: $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "bench-password-1" | "$bin" user add --email bench-national@exemple.fr --name "Bench" --role federation >/dev/null
echo "bench-password-1" | "$bin" user add --email bench-region@exemple.fr --name "Bench" --role federation --region 84 >/dev/null

port=$((20000 + RANDOM % 20000))
QUALITRACK_BIND="127.0.0.1:$port" "$bin" serve >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

login() { # $1 e-mail, $2 cookie jar
    local token
    token=$(curl -fs -c "$2" -b "$2" "$base/connexion" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
    curl -fs -o /dev/null -c "$2" -b "$2" --data-urlencode "csrf_token=$token" \
        --data-urlencode "email=$1" --data-urlencode "password=bench-password-1" "$base/connexion"
}
login bench-national@exemple.fr "$work/national"
login bench-region@exemple.fr "$work/region"

measure() { # $1 label, $2 jar, $3 path
    local times=() size=0 first
    # The first view computes (nothing was kept yet); the next ones are served until a write.
    first=$(curl -fs -o /dev/null -b "$2" -w '%{time_total}' "$base$3")
    for _ in $(seq "$RUNS"); do
        read -r t s < <(curl -fs -o /dev/null -b "$2" -w '%{time_total} %{size_download}\n' "$base$3")
        times+=("$t"); size="$s"
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v label="$1" -v size="$size" -v first="$first" '
        { v[NR] = $1 * 1000 }
        END { printf "| %s | %.1f | %.1f | %.1f | %.1f | %.0f |\n", label, first * 1000, v[int((NR+1)/2)], v[int(NR*0.9)], v[NR], size / 1024 }'
}

# An organisme with indicator values, and one of its shared indicators, through the API.
token=$("$bin" token create --user bench-national@exemple.fr --name bench | tail -1)
read -r org code < <(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/organisations?sort=homes&per_page=1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])' \
    | while read -r id; do
        curl -fs -H "Authorization: Bearer $token" "$base/api/v1/indicators?organisation=$id" \
            | python3 -c 'import json,sys
items = json.load(sys.stdin)["items"]
shared = [i for i in items if not i["definition"]["own"] and i["points"]]
print(sys.argv[1], (shared or items)[0]["definition"]["code"])' "$id"
    done)

echo "| page | first view ms | p50 ms | p90 ms | max ms | KB |"
echo "|---|---:|---:|---:|---:|---:|"
measure "dashboard, national" "$work/national" "/federation"
measure "dashboard, Qualibail in focus" "$work/national" "/federation?framework=qualibail-iv"
measure "dashboard, one region (regional staff)" "$work/region" "/federation"
measure "organismes holding Quali'Hlm (drill-down)" "$work/national" "/organismes?framework=quali-hlm&standing=holds"
measure "organismes without Quali'Hlm in a region" "$work/national" "/organismes?framework=quali-hlm&standing=none&region=84"
measure "renewals within 90 days" "$work/national" "/federation/renouvellements?framework=quali-hlm"
measure "calendar (every commitment, 90 days)" "$work/national" "/calendrier"
measure "largest organisme's page" "$work/national" "/organismes/$org"
measure "its indicator page (with its position among peers)" "$work/national" "/organismes/$org/indicateurs/$code"
measure "XLSX export of the dashboard" "$work/national" "/federation/tableau-de-bord.xlsx"
measure "rollout summary PDF" "$work/national" "/federation/synthese.pdf"
echo "peak server memory: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MB"}')"
