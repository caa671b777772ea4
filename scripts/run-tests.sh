#!/usr/bin/env bash
# The test command behind `make test`: the whole suite on SQLite, then on PostgreSQL.
# Without PostgreSQL (a newcomer's laptop) the second run is skipped with a clear
# message; under CI (CI=true) a missing service is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PG_NAME="masthead_$(basename "$PWD" | tr -c 'a-zA-Z0-9\n' '_' | tr 'A-Z' 'a-z')_$(printf '%s' "$PWD" | cksum | cut -c1-6)"
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/$PG_NAME}
CI=${CI:-false}
status=0

echo "== Lint (ruff)"
"$BIN/ruff" check masthead benchmarks scripts || status=1
"$BIN/ruff" format --check masthead benchmarks scripts || status=1

echo "== Test suite on SQLite"
"$BIN/python" -m pytest "$@"
rc=$?; [ $rc -ne 0 ] && status=$rc

pg_up() { "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
url = sys.argv[1].rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL not reachable at {url}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

echo "== Test suite on PostgreSQL ($PG_URL)"
if pg_up; then
  DATABASE_URL="$PG_URL" "$BIN/python" -m pytest "$@"
  rc=$?; [ $rc -ne 0 ] && status=$rc
elif [ "$CI" = "true" ]; then
  echo "FAILED: PostgreSQL is required under CI=true and is not reachable." >&2
  status=1
else
  echo "SKIPPED the PostgreSQL run: no server at $PG_URL (start PostgreSQL or set PG_URL to run it)."
fi
exit $status
