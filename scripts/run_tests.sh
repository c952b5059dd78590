#!/usr/bin/env bash
# The suite on SQLite and, when a PostgreSQL server is given or answers, on PostgreSQL too.
# The two passes run side by side (each waits on browsers, sockets and sleeps for much of its
# time, so on two CPUs together they take little longer than the slower one alone); each writes
# its own log under test-artifacts/, printed whole when it ends. TEST_SERIAL=1 runs them one after
# the other, straight to the terminal. Any non-zero pytest exit fails, including 5 (no tests).
#   usage: scripts/run_tests.sh PYTEST PG_URL_OR_EMPTY [pytest args...]
set -uo pipefail
pytest=$1; pg_url=$2; shift 2
logs=test-artifacts
mkdir -p "$logs"

if [ -n "${TEST_SERIAL:-}" ]; then
    status=0
    echo "== SQLite =="
    env -u TEST_DATABASE_URL "$pytest" "$@" || status=1
    if [ -n "$pg_url" ]; then
        echo "== PostgreSQL =="
        TEST_DATABASE_URL="$pg_url" "$pytest" "$@" || status=1
    fi
    exit $status
fi

env -u TEST_DATABASE_URL "$pytest" "$@" >"$logs/pytest-sqlite.log" 2>&1 &
sqlite_pid=$!
if [ -n "$pg_url" ]; then
    TEST_DATABASE_URL="$pg_url" "$pytest" "$@" >"$logs/pytest-postgresql.log" 2>&1 &
    pg_pid=$!
fi
# Ctrl+C or a CI timeout stops both passes, not only this script.
trap 'kill $sqlite_pid ${pg_pid:-} 2>/dev/null; exit 130' INT TERM
echo "make test: SQLite and PostgreSQL passes running side by side (logs in $logs/pytest-*.log)"

status=0
wait $sqlite_pid || status=1
echo "== SQLite =="
cat "$logs/pytest-sqlite.log"
if [ -n "$pg_url" ]; then
    wait $pg_pid || status=1
    echo "== PostgreSQL =="
    cat "$logs/pytest-postgresql.log"
fi
exit $status
