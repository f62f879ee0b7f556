#!/usr/bin/env bash
# Every benchmark in bench/ against the real services (PostgreSQL, Redis, Meilisearch),
# each on a fresh database; each one prints its table and rewrites its section of
# docs/benchmarks.md.   scripts/bench.sh [--size small|full] [name …]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
SIZE=full
if [ "${1:-}" = "--size" ]; then SIZE=$2; shift 2; fi
PG_URL=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/0}

read -r meili_url meili_key meili_pid meili_dir <<<"$(scripts/meilisearch.sh start)"
trap 'scripts/meilisearch.sh stop "$meili_pid" "$meili_dir"' EXIT

if [ $# -gt 0 ]; then names=("$@"); else
  names=(); for f in bench/*.py; do b=$(basename "$f" .py); [[ $b == _* ]] || names+=("$b"); done
fi

started=$(date +%s)
for name in "${names[@]}"; do
  db="shabaka_bench_${name//[^a-z0-9_]/_}"
  echo "== bench/$name.py (size $SIZE, database $db)"
  psql "${PG_URL}" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  export DATABASE_URL="${PG_URL%/*}/$db" REDIS_URL="$REDIS" CHANNEL_PREFIX="bench-$name" \
    CACHE_PREFIX="bench-$name" MEILISEARCH_URL="$meili_url" MEILISEARCH_API_KEY="$meili_key" \
    MEILISEARCH_INDEX_PREFIX="bench_$name" SHABAKA_VAR_DIR="$(mktemp -d)" BENCH_SIZE="$SIZE" \
    DEBUG=true LOG_LEVEL=ERROR
  "$PY" manage.py migrate --noinput -v 0
  "$PY" "bench/$name.py" --size "$SIZE"
  psql "${PG_URL}" -qc "DROP DATABASE IF EXISTS $db" >/dev/null || true
done
echo "== benchmarks done in $(( $(date +%s) - started )) s; results in docs/benchmarks.md"
