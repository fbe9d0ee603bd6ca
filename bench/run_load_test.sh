#!/usr/bin/env bash
# Load test on this machine, production settings: a fresh PostgreSQL database `loadtest`,
# Redis db 13, gunicorn and a Celery worker on 127.0.0.1, then bench/load_test.py (100 users
# for 120 s by default) and its consistency check. Everything it starts is stopped at the end.
#
#   bench/run_load_test.sh                       # 100 users, 120 s
#   USERS=20 DURATION=30 bench/run_load_test.sh  # a quick one
#   OPEN_QUARTER=1 bench/run_load_test.sh        # every unit still owes the current quarter
#   USERS=20 DURATION=30 RAMP=10 bench/run_load_test.sh   # what .ci/run runs after make test
# Also: RAMP (s over which users log in, 30), THINK (mean pause between pages, 2 s), PORT,
# WORKERS, THREADS, WAIT_QUIET (s to wait for an idle CPU before the load, 0).
#
# Logs, the results file and the exports land in $LOADTEST_OUT (default /tmp/nanyang-loadtest-*).
# The database `loadtest` is left in place for inspection; the next run drops it.
# Exit status: 0 only when no request got a 5xx or no answer and the check found nothing wrong.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
USERS=${USERS:-100}
DURATION=${DURATION:-120}
RAMP=${RAMP:-30}
THINK=${THINK:-2}
PORT=${PORT:-8790}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-4}
PG="-h 127.0.0.1 -U postgres"
OUT=${LOADTEST_OUT:-/tmp/nanyang-loadtest-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/media"

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/loadtest"
export REDIS_URL="redis://127.0.0.1:6379/13"
export SECRET_KEY=${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}
export ALLOWED_HOSTS=127.0.0.1
export MEDIA_ROOT="$OUT/media"
export LOADTEST_PASSWORD=${LOADTEST_PASSWORD:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')}
export PYTHONUNBUFFERED=1
unset DJANGO_DEBUG EMAIL_HOST HTTPS

PIDS=()
cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    echo "== stopped; logs and results in $OUT"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "== $*"; }

if "$PY" - "$PORT" <<'EOF'
import socket, sys
s = socket.socket()
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
EOF
then
    echo "port $PORT is already in use on 127.0.0.1: stop that server or set PORT" >&2
    exit 2
fi

step "machine"
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "nproc: $(nproc)"
    free -h
    echo "python: $("$PY" --version 2>&1)"
    echo "postgres: $(psql $PG -tAc 'select version()' postgres)"
    echo "redis: $(redis-cli -h 127.0.0.1 -p 6379 INFO server | grep redis_version | tr -d '\r')"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
} | tee "$OUT/machine.txt"

step "fresh database loadtest, Redis db 13"
timeout 60 dropdb $PG --if-exists loadtest
timeout 60 createdb $PG loadtest
timeout 30 redis-cli -h 127.0.0.1 -p 6379 -n 13 FLUSHDB >/dev/null

step "migrate, plan, demo accounts and data, static files, load-test accounts"
timeout 300 "$PY" manage.py migrate --no-input >"$OUT/setup.log"
timeout 300 "$PY" manage.py load_plan | tail -1
timeout 120 "$PY" manage.py create_demo_accounts --force >>"$OUT/setup.log"
timeout 300 "$PY" manage.py seed_demo
timeout 300 "$PY" manage.py collectstatic --noinput | tail -1
timeout 120 "$PY" bench/load_test.py setup --users "$USERS" ${OPEN_QUARTER:+--open-quarter}

# Django logs a failing request (500) only by e-mail when DEBUG is off; here the root logger
# writes every warning and error, with its traceback, to gunicorn's error log.
cat >"$OUT/gunicorn-logging.json" <<'EOF'
{"root": {"level": "WARNING", "handlers": ["error_console"]},
 "loggers": {
  "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": false},
  "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": false}}}
EOF

step "gunicorn on 127.0.0.1:$PORT ($WORKERS workers × $THREADS threads), Celery worker"
"$ROOT/.venv/bin/gunicorn" nanyang_tracker.wsgi -b "127.0.0.1:$PORT" -w "$WORKERS" \
    --threads "$THREADS" --timeout 60 --log-config-json "$OUT/gunicorn-logging.json" \
    --access-logformat '%(h)s "%(r)s" %(s)s %(B)s %(M)sms' \
    >"$OUT/gunicorn-access.log" 2>"$OUT/gunicorn-error.log" &
PIDS+=($!)
"$ROOT/.venv/bin/celery" -A nanyang_tracker worker --pool=threads -c 4 --loglevel=INFO \
    >"$OUT/celery.log" 2>&1 &
PIDS+=($!)

ready=""
for _ in $(seq 1 120); do
    if "$PY" - "http://127.0.0.1:$PORT/accounts/login/" <<'EOF'
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    sys.exit(0 if opener.open(sys.argv[1], timeout=5).status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
    then
        if grep -q "ready\." "$OUT/celery.log"; then ready=1; break; fi
    fi
    sleep 0.5
done
if [ -z "$ready" ]; then
    echo "gunicorn or Celery did not come up within 60 s; see $OUT" >&2
    tail -20 "$OUT/gunicorn-error.log" "$OUT/celery.log" >&2
    exit 3
fi

# The figures mean little if something else is using the CPU: measure it, and with
# WAIT_QUIET=<seconds> wait up to that long for the machine to be 80% idle.
waited=0
while :; do
    idle=$(vmstat 5 2 | tail -1 | awk '{ print $15 }')
    waited=$((waited + 5))
    if [ "$idle" -ge 80 ] || [ "$waited" -ge "${WAIT_QUIET:-0}" ]; then break; fi
done
echo "CPU idle in the 5 s before the load: $idle%" | tee -a "$OUT/machine.txt"
if [ "$idle" -lt 80 ]; then
    echo "WARNING: other processes are using the CPU; the figures below are lower than this" \
        "machine can do. Busiest processes:" | tee -a "$OUT/machine.txt"
    ps -eo pcpu,etime,args --sort=-pcpu | head -6 | cut -c1-120 | tee -a "$OUT/machine.txt"
fi

psql $PG -tAc "select deadlocks, xact_commit, xact_rollback from pg_stat_database
               where datname = 'loadtest'" >"$OUT/pg-before.txt"
vmstat 5 >"$OUT/vmstat.log" &
PIDS+=($!)

COMMAND="bench/load_test.py --base http://127.0.0.1:$PORT --users $USERS --duration $DURATION --ramp $RAMP --think $THINK"
step "load: $COMMAND"
"$PY" bench/load_test.py cpu snapshot "$OUT/cpu-before.json"
set +e
timeout $((DURATION + 240)) "$PY" $COMMAND --results "$OUT/results.json" | tee "$OUT/run.txt"
run_status=${PIPESTATUS[0]}
"$PY" bench/load_test.py cpu report "$OUT/cpu-before.json" --ours $$ "${PIDS[@]}" \
    >"$OUT/cpu.txt"
step "consistency check"
timeout 300 "$PY" bench/load_test.py check --results "$OUT/results.json" | tee "$OUT/check.txt"
check_status=${PIPESTATUS[0]}
set -e

step "server side"
read -r dl0 commit0 rollback0 < <(tr '|' ' ' <"$OUT/pg-before.txt")
read -r dl1 commit1 rollback1 < <(psql $PG -tAc "select deadlocks, xact_commit, xact_rollback
    from pg_stat_database where datname = 'loadtest'" | tr '|' ' ')
{
    echo "postgres during the run: deadlocks $((dl1 - dl0)), commits $((commit1 - commit0)), rollbacks $((rollback1 - rollback0))"
    echo "gunicorn access log: $(wc -l <"$OUT/gunicorn-access.log") requests, 5xx: $(grep -cE '" 5[0-9][0-9] ' "$OUT/gunicorn-access.log" || true)"
    echo "gunicorn error log: tracebacks $(grep -c '^Traceback' "$OUT/gunicorn-error.log" || true), worker timeouts $(grep -c 'WORKER TIMEOUT' "$OUT/gunicorn-error.log" || true), errors $(grep -c '\[ERROR\]\|ERROR' "$OUT/gunicorn-error.log" || true)"
    echo "celery log: tracebacks $(grep -c '^Traceback' "$OUT/celery.log" || true), export jobs succeeded $(grep -c 'export_ledger.*succeeded' "$OUT/celery.log" || true)"
    cat "$OUT/cpu.txt"
    echo "cpu (vmstat every 5 s, us sy id wa):"
    awk 'NR > 3 && $13 ~ /^[0-9]+$/ { printf "%s/%s/%s/%s ", $13, $14, $15, $16 }
         END { print "" }' "$OUT/vmstat.log"
    "$PY" bench/load_test.py accesslog "$OUT/gunicorn-access.log"
} | tee "$OUT/server.txt"
if grep -q '^Traceback' "$OUT/gunicorn-error.log" "$OUT/celery.log"; then
    step "first tracebacks"
    grep -h -B2 -A40 -m3 '^Traceback' "$OUT/gunicorn-error.log" "$OUT/celery.log" | head -150
fi

step "result: load $([ "$run_status" = 0 ] && echo ok || echo "FAILED ($run_status)"), check $([ "$check_status" = 0 ] && echo ok || echo "FAILED ($check_status)")"
[ "$run_status" = 0 ] && [ "$check_status" = 0 ]
