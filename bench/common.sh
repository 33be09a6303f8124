# Shared by the load benchmarks (sourced): builds in release mode, generates N organismes
# (default 600) into a fresh SQLite database (or the empty PostgreSQL database named by
# QUALITRACK_BENCH_DATABASE_URL), starts the server, signs in with the generated accounts,
# makes a 300-requirement audit through the pages with a finding on every requirement, and
# defines `run`, which drives a page with wrk and prints a Markdown row.
# The caller sets N, DURATION and CONCURRENCY.
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

query() {
    if [[ "$QUALITRACK_DATABASE_URL" == sqlite://* ]]; then
        python3 -c 'import sqlite3,sys; [print("|".join(map(str, r))) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]' \
            "${QUALITRACK_DATABASE_URL#sqlite://}" "$1"
    else
        psql -tA "$QUALITRACK_DATABASE_URL" -c "$1"
    fi
}

# What to load: a 300-requirement audit made below through the pages, a decided audit for
# the PDF report, the largest organisme.
IFS='|' read -r auditor_id auditor < <(query "
    SELECT id, email FROM users WHERE role = 'auditor' ORDER BY email LIMIT 1")
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
manager_email=$(query "SELECT email FROM users WHERE role = 'quality_manager' AND organisation_id = '$org' ORDER BY email LIMIT 1")
manager=$(login "$manager_email" "$work/manager")
admin=$(login admin@qualitrack.test "$work/admin")
auditor_cookie=$(login "$auditor" "$work/auditor")
token_of() { # $1 cookie, $2 page: the CSRF token of that session
    curl -fs -H "Cookie: $1" "$base$2" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//'
}
location() { # the path a form's answer redirects to
    grep -i '^location:' | tr -d '\r' | sed 's/^[Ll]ocation: //'
}

# The 300-requirement audit: Qualibail IV's cycle and grades with 20 themes of 14
# requirements, imported by the administrator, committed to by the largest organisme, its
# first follow-up audit planned with an auditor, who records a finding on every requirement.
python3 - "$work/bench-300.toml" <<'PY'
import sys
head = open("audit-frameworks/qualibail-iv.toml", encoding="utf-8").read().split("\n[[requirements]]")[0]
head = head.replace('code = "qualibail-iv"', 'code = "bench-300"', 1).replace('version = "IV"', 'version = "1"', 1)
parts = [head]
for t in range(1, 21):
    parts.append(f'\n[[requirements]]\nref = "T{t}"\ntitle = "Thème {t} : relation avec les locataires et qualité du service rendu"\n')
    for i in range(1, 15):
        parts.append(f'\n[[requirements]]\nref = "T{t}.{i}"\nparent = "T{t}"\ntitle = "Exigence {t}.{i} : les demandes des locataires reçoivent une réponse écrite dans le délai annoncé"\nguidance = "Vérifier sur un échantillon de demandes la date de réception, la date de réponse et le contenu de la réponse."\nevidence = ["Registre des demandes", "Échantillon de courriers de réponse", "Tableau de bord mensuel"]\n')
open(sys.argv[1], "w", encoding="utf-8").write("".join(parts))
PY
admin_csrf=$(token_of "$admin" /referentiels/importer)
# The token first: an upload's token is read before any file, never from the address.
curl -fs -o /dev/null -H "Cookie: $admin" -F "csrf_token=$admin_csrf" -F "files=@$work/bench-300.toml" \
    "$base/referentiels/importer"
framework=$(query "SELECT id FROM frameworks WHERE code = 'bench-300'")
commitment=$(curl -fs -o /dev/null -D - -H "Cookie: $admin" --data "csrf_token=$admin_csrf&framework_id=$framework&state=granted&start_date=2024-01-10&decision_date=2024-04-10" \
    "$base/organismes/$org/engagements" | location)
audit=$(curl -fs -o /dev/null -D - -H "Cookie: $admin" --data "csrf_token=$admin_csrf&slot=step:suivi-1&start_date=2025-03-03&end_date=2025-03-05&lead_auditor_id=$auditor_id" \
    "$base$commitment/planification" | location)
audit="${audit#/audits/}"
csrf=$(token_of "$auditor_cookie" "/audits/$audit")
for t in $(seq 20); do
    for i in $(seq 14); do
        curl -fs -o /dev/null -H "Cookie: $auditor_cookie" -H "HX-Request: true" \
            --data "csrf_token=$csrf&grade_code=constat-conformite&finding=Demandes+trait%C3%A9es+dans+le+d%C3%A9lai&version=0" \
            "$base/audits/$audit/constats/T$t.$i"
    done
done
requirements=$(query "SELECT COUNT(*) FROM framework_requirements WHERE framework_id = '$framework'")

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
