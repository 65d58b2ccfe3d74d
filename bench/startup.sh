#!/usr/bin/env bash
# Seconds from `make run` to the web chat answering HTTP 200 (dependencies already installed:
# run `make venv` first), then a clean stop by the process group this script started.
# Usage: bench/startup.sh [PROJECT_DIR]   (a fresh clone: the demo's first start is measured)
set -euo pipefail
cd "${1:-.}"
url="http://127.0.0.1:${WEB_PORT:-8080}/"
log="$(mktemp)"
start=$(date +%s.%N)
setsid make run >"$log" 2>&1 &
pid=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" = 200 ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "make run exited before the page answered; its output: $log" >&2
        exit 1
    fi
    sleep 0.1
done
end=$(date +%s.%N)
printf 'make run: the web chat answered HTTP 200 after %.1f s\n' "$(echo "$end - $start" | bc)"
kill -INT -- "-$pid"
wait "$pid" || true
rm -f "$log"
