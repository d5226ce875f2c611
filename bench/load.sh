#!/usr/bin/env bash
# Conversation load benchmark: the release binary under wrk. Figures and how to read them:
# docs/benchmarks.md, "Conversations under load".
#
#   cargo build --release -p comptoir && bash bench/load.sh
#
# One run does everything (about 9 minutes) and ends with a summary:
#   1. saturation: BENCH_CONVERSATIONS (200) conversations driven by BENCH_CONNECTIONS (200)
#      connections from BENCH_THREADS (2) wrk threads for BENCH_DURATION (30s), no pause:
#      turns/s at saturation, client latency;
#   2. GET /healthz with the same wrk settings right after each run of 1: the ratio of the two
#      throughputs says what a turn costs against the server's cheapest request;
#   3. paced: the same shape, but each connection pauses BENCH_THINK_MS ("1000 500") on average
#      after each reply, like shoppers reading it: 200 concurrent conversations below saturation;
#   4. BENCH_LIGHT_CONNECTIONS (8) connections over 200 conversations, no pause: client p50/p99;
#   5. the server's own time per turn: `server_us` of every turn of 1, 3 and 4, read back from
#      the transcripts, and the /metrics histogram `comptoir_turn_duration_seconds`;
#   6. memory, on a second, fresh server: RSS after start + warm-up, after
#      BENCH_MEMORY_CONVERSATIONS (10,000) new conversations with one message each, and after a
#      second message to each.
# 1, 3 and 4 run BENCH_RUNS (3) times, each run on new conversations of its own.
#
# Environment: COMPTOIR_BIN (default target/release/comptoir), BENCH_PORT (18390; the memory
# server uses the next port), BENCH_OUT (where raw results go; default a new /tmp directory,
# kept). Needs wrk (with LuaJIT), curl, python3 (standard library only) and, to detect a
# database left write-locked after a run, the sqlite3 shell.
#
# The server runs with --conversation-rate 100000 --conversation-burst 100000: the default
# per-conversation limit (5 messages/s, burst 20) would answer most of this load with 429.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=${COMPTOIR_BIN:-target/release/comptoir}
PORT=${BENCH_PORT:-18390}
DURATION=${BENCH_DURATION:-30s}
RUNS=${BENCH_RUNS:-3}
CONVS=${BENCH_CONVERSATIONS:-200}
CONNS=${BENCH_CONNECTIONS:-200}
THREADS=${BENCH_THREADS:-2}
LIGHT=${BENCH_LIGHT_CONNECTIONS:-8}
MEM_CONVS=${BENCH_MEMORY_CONVERSATIONS:-10000}
WARMUP=${BENCH_WARMUP:-5s}
THINK=${BENCH_THINK_MS:-1000 500}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/comptoir-load.XXXXXX)}
STATS="python3 bench/turn_stats.py"

command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is not installed" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release -p comptoir, or set COMPTOIR_BIN)" >&2; exit 1; }
mkdir -p "$OUT"
echo "$RUNS" >"$OUT/runs"
echo "$CONVS" >"$OUT/conversations"
echo "$CONNS" >"$OUT/connections"
echo "$LIGHT" >"$OUT/light"
rm -f "$OUT/wedged.txt" "$OUT/warmup.txt"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT

# start_server NAME PORT [fresh]: the demo store in $OUT/NAME (a new one with `fresh`); sets
# SERVER_PID, URL, PK, SK.
start_server() {
  local name=$1 port=$2
  if [ "${3:-}" = fresh ]; then rm -rf "${OUT:?}/$name"; fi
  "$BIN" serve --demo --listen "127.0.0.1:$port" --data-dir "$OUT/$name" --log warn \
    --conversation-rate 100000 --conversation-burst 100000 \
    >"$OUT/$name.stdout" 2>>"$OUT/$name.stderr" &
  SERVER_PID=$!
  URL="http://127.0.0.1:$port"
  for _ in $(seq 1 600); do
    if curl -sf "$URL/healthz" >/dev/null 2>&1 && grep -q "widget (public) key" "$OUT/$name.stdout"; then
      break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/$name.stderr" >&2; exit 1; }
    sleep 0.05
  done
  PK=$(sed -n 's/.*widget (public) key: *\(pk_[^ ]*\).*/\1/p' "$OUT/$name.stdout" | head -1)
  SK=$(sed -n 's/.*admin (secret) key: *\(sk_[^ ]*\).*/\1/p' "$OUT/$name.stdout" | head -1)
  [ -n "$PK" ] || { echo "no widget key in $OUT/$name.stdout" >&2; exit 1; }
  log "server $name up at $URL (pid $SERVER_PID)"
}

# turns IDS CONNECTIONS DURATION THINK_MS: wrk over the conversations in IDS; prints wrk's output.
turns() {
  TURN_IDS=$1 TURN_KEY=$PK TURN_THREADS=$THREADS TURN_THINK_MS=$4 \
    wrk -t"$THREADS" -c"$2" -d"$3" --timeout 10s --latency -s bench/turn.lua "$URL"
}

rss_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# The model, the search index, SQLite's caches, the allocator: 5 s of turns on their own
# conversations before anything is measured (and again after a restart).
warm_up() {
  log "warm-up: $WARMUP on $CONVS conversations"
  turns "$OUT/warmup.ids" "$CONNS" "$WARMUP" 0 >>"$OUT/warmup.txt"
}

# When wrk stops it closes connections with requests in flight, which cancels them in the
# server. If one is cancelled just after its BEGIN IMMEDIATE, the transaction can stay open on
# a pooled SQLite connection and keep the write lock for good (every later write waits 10 s and
# fails with 503). Check after every run; if so, say so and restart the server on the same data.
check_writable() {
  command -v sqlite3 >/dev/null || return 0
  if timeout 15 sqlite3 "$OUT/load/comptoir.db" ".timeout 5000" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1; then
    return 0
  fi
  echo "$1" >>"$OUT/wedged.txt"
  log "!! the database stayed write-locked after $1 (a write transaction leaked when wrk cut in-flight requests): restarting the server"
  stop_server
  start_server load "$PORT"
  warm_up
}

# measure GROUP RUN CONNECTIONS THINK_MS: new conversations, /metrics before and after, wrk.
measure() {
  local g=$1 i=$2 c=$3 think=$4
  $STATS create --url "$URL" --key "$PK" --n "$CONVS" --out "$OUT/$g.$i.ids"
  log "run $i/$RUNS: $g: turns, $CONVS conversations, $c connections, pause ${think} ms, $DURATION"
  $STATS metrics --url "$URL" --out "$OUT/$g.$i.before.metrics"
  turns "$OUT/$g.$i.ids" "$c" "$DURATION" "$think" >"$OUT/$g.$i.txt"
  $STATS metrics --url "$URL" --out "$OUT/$g.$i.after.metrics"
  $STATS hist "$OUT/$g.$i.before.metrics" "$OUT/$g.$i.after.metrics" --label "$g.$i" >"$OUT/$g.$i.hist"
  grep '^WRK' "$OUT/$g.$i.txt" >&2
  check_writable "$g run $i"
}

log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk and the server share them"
log "binary: $BIN ($("$BIN" --version 2>/dev/null || echo '?')); raw results in $OUT"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (anything else running skews every figure)"

start_server load "$PORT" fresh
$STATS create --url "$URL" --key "$PK" --n "$CONVS" --out "$OUT/warmup.ids"
warm_up

# Saturation, each run followed by /healthz with the same settings.
for i in $(seq 1 "$RUNS"); do
  measure sat "$i" "$CONNS" 0
  log "run $i/$RUNS: GET /healthz, $CONNS connections, $DURATION"
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s bench/healthz.lua \
    "$URL/healthz" >"$OUT/healthz.$i.txt"
  grep '^WRK' "$OUT/healthz.$i.txt" >&2
done
groups="sat"

# Paced: the same 200 conversations on 200 connections, each pausing after every reply.
for think in $THINK; do
  for i in $(seq 1 "$RUNS"); do
    measure "paced.$think" "$i" "$CONNS" "$think"
  done
  groups="$groups paced.$think"
done

# Few connections, no pause: the client-seen latency target.
for i in $(seq 1 "$RUNS"); do
  measure c8 "$i" "$LIGHT" 0
done
groups="$groups c8"
echo "$groups" >"$OUT/groups"

log "reading every turn's server_us back from the transcripts"
for g in $groups; do
  for i in $(seq 1 "$RUNS"); do
    $STATS stats --url "$URL" --key "$PK" --ids "$OUT/$g.$i.ids" --label "$g.$i" >"$OUT/$g.$i.stats"
  done
done
stop_server

# Memory, on a second, fresh server: the load above (its caches, its grown database) is not part
# of the baseline.
start_server memory $((PORT + 1)) fresh
log "memory: warm-up, $CONVS conversations × 5 messages"
$STATS populate --url "$URL" --key "$PK" --n "$CONVS" --messages 5 >"$OUT/memory.warmup"
sleep 1
rss0=$(rss_kb "$SERVER_PID" VmRSS); anon0=$(rss_kb "$SERVER_PID" RssAnon); db0=$(du -sk "$OUT/memory" | cut -f1)
log "memory: RSS $rss0 kB; now $MEM_CONVS new conversations × 1 message"
$STATS populate --url "$URL" --key "$PK" --n "$MEM_CONVS" --messages 1 --out "$OUT/memory.ids" >"$OUT/memory.populate"
sleep 1
rss1=$(rss_kb "$SERVER_PID" VmRSS); anon1=$(rss_kb "$SERVER_PID" RssAnon); db1=$(du -sk "$OUT/memory" | cut -f1)
log "memory: RSS $rss1 kB; a second message to each"
$STATS send --url "$URL" --key "$PK" --ids "$OUT/memory.ids" --messages 1 >"$OUT/memory.send"
sleep 1
rss2=$(rss_kb "$SERVER_PID" VmRSS); hwm=$(rss_kb "$SERVER_PID" VmHWM)
stop_server
{
  echo "MEMORY {\"conversations\": $MEM_CONVS, \"rss0_kb\": $rss0, \"rss1_kb\": $rss1, \"rss2_kb\": $rss2, \"hwm_kb\": $hwm, \"anon0_kb\": $anon0, \"anon1_kb\": $anon1, \"db0_kb\": $db0, \"db1_kb\": $db1}"
  sed 's/^/# populate: /' "$OUT/memory.populate"
  sed 's/^/# send: /' "$OUT/memory.send"
} >"$OUT/memory.txt"
cat "$OUT/memory.txt" >&2

log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
$STATS report "$OUT" | tee "$OUT/summary.txt"
