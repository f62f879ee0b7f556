#!/usr/bin/env bash
# Every benchmark in bench/ against the real services (PostgreSQL, Redis, Meilisearch),
# each on a fresh database; each one prints its table and rewrites its section of
# docs/benchmarks.md, and the run ends with a summary table written at the top of it.
#   scripts/bench.sh [--size small|full] [name …]
# The whole run must fit in BENCH_BUDGET seconds (3600 on 2 cores: the first wave's
# benchmarks take about 700 s, within the 15 minutes their issue gave them, the
# notification benchmarks of the second wave — 50,000 rows fanned out, 100,000 digests
# mailed — about 14 minutes more, meetings a few minutes, and call matching over
# 100,000 generated profiles (indexed into Meilisearch) about 10; 300 for --size
# small): a benchmark still running when the budget is spent is stopped, those not yet
# started are skipped, and the run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
SIZE=full
if [ "${1:-}" = "--size" ]; then SIZE=$2; shift 2; fi
case "$SIZE" in small) default_budget=300 ;; full) default_budget=3600 ;;
  *) echo "--size small|full" >&2; exit 2 ;; esac
BUDGET=${BENCH_BUDGET:-$default_budget}
PG_URL=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/0}
started=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/shabaka-bench.XXXXXX")

if ! meili=$(scripts/meilisearch.sh start); then echo "!! Meilisearch did not start" >&2; exit 1; fi
read -r meili_url meili_key meili_pid meili_dir <<<"$meili"
trap 'scripts/meilisearch.sh stop "$meili_pid" "$meili_dir"; rm -rf "$work"' EXIT

partial=false
if [ $# -gt 0 ]; then names=("$@"); partial=true; else
  names=(); for f in bench/*.py; do b=$(basename "$f" .py); [[ $b == _* ]] || names+=("$b"); done
fi

: >"$work/status"
export BENCH_SUMMARY_FILE="$work/rows.jsonl"
for name in "${names[@]}"; do
  remaining=$(( BUDGET - ($(date +%s) - started) ))
  if [ "$remaining" -le 5 ]; then
    echo "!! bench/$name.py skipped: the ${BUDGET} s budget is spent" >&2
    echo "$name skipped-budget 0" >>"$work/status"; continue
  fi
  db="shabaka_bench_${name//[^a-z0-9_]/_}"
  echo "== bench/$name.py (size $SIZE, database $db, ${remaining} s of budget left)"
  one_started=$(date +%s)
  psql "${PG_URL}" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  (
    export DATABASE_URL="${PG_URL%/*}/$db" REDIS_URL="$REDIS" CHANNEL_PREFIX="bench-$name" \
      CACHE_PREFIX="bench-$name" MEILISEARCH_URL="$meili_url" MEILISEARCH_API_KEY="$meili_key" \
      MEILISEARCH_INDEX_PREFIX="bench_$name" SHABAKA_VAR_DIR="$(mktemp -d)" BENCH_SIZE="$SIZE" \
      DEBUG=true LOG_LEVEL=ERROR
    "$PY" manage.py migrate --noinput -v 0 &&
      timeout --kill-after=10 "$remaining" "$PY" "bench/$name.py" --size "$SIZE"
  )
  rc=$?
  case $rc in
    0) status=ok ;;
    124 | 137) status=timed-out; echo "!! bench/$name.py stopped: the ${BUDGET} s budget is spent" >&2 ;;
    *) status="failed(exit-$rc)"; echo "!! bench/$name.py failed with exit code $rc" >&2 ;;
  esac
  echo "$name $status $(( $(date +%s) - one_started ))" >>"$work/status"
  psql "${PG_URL}" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
done

elapsed=$(( $(date +%s) - started ))
echo
echo "== summary (${elapsed} s; budget ${BUDGET} s)"
summary_args=(--status "$work/status" --rows "$work/rows.jsonl" --size "$SIZE"
  --elapsed "$elapsed" --budget "$BUDGET")
# A run of a few named benchmarks prints its summary but leaves the full run's header alone.
if $partial; then summary_args+=(--no-write); fi
"$PY" bench/_summary.py "${summary_args[@]}"
rc=$?
echo "== results in docs/benchmarks.md"
exit $rc
