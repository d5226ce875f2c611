#!/usr/bin/env bash
# Browser tests of the chat widget and the admin: builds the server (debug), runs `comptoir serve --demo` on a
# free local port with a throwaway data dir, and drives the demo page in headless Chromium with
# tests/browser/chat.test.mjs (playwright-core). Screenshots land in target/browser/.
#   bash .ci/browser.sh            (needs node >= 20, npm, and chromium or root to install it)
# CHROMIUM=/path/to/chromium overrides the browser binary.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

echo "== browser test: prerequisites"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "browser.sh: node and npm are required (node >= 20)" >&2
  exit 1
fi
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "browser.sh: chromium is not installed and this is not root: run 'apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium)" >&2
    exit 1
  fi
  echo "installing chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y chromium >/dev/null 2>&1; then
    if ! { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }; then
      echo "browser.sh: 'apt-get install -y chromium' failed; install Chromium or set CHROMIUM=/path/to/chromium" >&2
      exit 1
    fi
  fi
  CHROMIUM=$(command -v chromium)
fi
echo "chromium: $CHROMIUM"

# npm ci only when node_modules was not installed from this very lock file.
LOCK_SUM=$(sha256sum tests/browser/package-lock.json | cut -d' ' -f1)
STAMP=tests/browser/node_modules/.comptoir-lock-sha256
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$LOCK_SUM" ]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
  echo "$LOCK_SUM" >"$STAMP"
else
  echo "tests/browser/node_modules is up to date"
fi

echo "== browser test: cargo build -p comptoir"
cargo build -p comptoir

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATA=$(mktemp -d)
LOG=$(mktemp)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA" "$LOG"
}
trap cleanup EXIT

echo "== browser test: comptoir serve --demo on 127.0.0.1:$PORT"
target/debug/comptoir serve --demo --listen "127.0.0.1:$PORT" --data-dir "$DATA" >"$LOG" 2>&1 &
SERVER_PID=$!

BASE_URL="http://127.0.0.1:$PORT"
ready=
for _ in $(seq 1 120); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "browser.sh: the server exited before it was ready; its log:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
  fi
  if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$BASE_URL/readyz" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "browser.sh: $BASE_URL/readyz did not answer within 60 s; the server's log:" >&2
  tail -n 40 "$LOG" >&2
  exit 1
fi

echo "== browser test: tests/browser/chat.test.mjs against $BASE_URL"
status=0
SECRET_KEY=$(sed -n 's/.*admin (secret) key: //p' "$LOG" | tail -n 1)
BASE_URL="$BASE_URL" CHROMIUM="$CHROMIUM" SECRET_KEY="$SECRET_KEY" node tests/browser/chat.test.mjs || status=$?
if [ "$status" != 0 ]; then
  echo "browser.sh: the browser test failed; the server's last log lines:" >&2
  tail -n 40 "$LOG" >&2
fi
DEMO_PASSWORD=$(sed -n 's/.*sign in as [^ ]* with password \([0-9a-f]*\).*/\1/p' "$LOG" | tail -n 1)
echo "== browser test: tests/browser/admin.test.mjs against $BASE_URL"
admin_status=0
BASE_URL="$BASE_URL" CHROMIUM="$CHROMIUM" DEMO_PASSWORD="$DEMO_PASSWORD" node tests/browser/admin.test.mjs || admin_status=$?
if [ "$admin_status" != 0 ]; then
  echo "browser.sh: the admin browser test failed; the server's last log lines:" >&2
  tail -n 40 "$LOG" >&2
  status=$admin_status
fi
echo "screenshots: $ROOT/target/browser/*.png"
exit "$status"
