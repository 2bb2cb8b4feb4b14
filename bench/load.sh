#!/usr/bin/env bash
# HTTP load run (issue 8): the same wrk script against a bare ASP.NET Core app (the ceiling) and against
# `kakaoflow serve` on bench/flows (real LiteDB file in a temp dir), one after the other in one run.
# Prints requests/s, p50, p99 for both and the ratio host/baseline. Loopback only; bounded duration.
#
#   bash bench/load.sh                      # 64 connections, 5 s warm-up, 15 s measured, per server
#   DURATION=30 CONNECTIONS=128 bash bench/load.sh
#
# Installs wrk with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
export USERS=${USERS:-5000}          # per wrk thread: THREADS x USERS distinct user_keys
BASE_PORT=${BASE_PORT:-5091}
HOST_PORT=${HOST_PORT:-5092}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v wrk >/dev/null; then
  echo "== installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== building (Release)"
dotnet build -c Release -v q -nologo engine/KakaoFlow.Cli -o "$work/cli" >/dev/null
dotnet build -c Release -v q -nologo bench/KakaoFlow.Baseline -o "$work/baseline" >/dev/null

wait_up() { # url
  for _ in $(seq 1 100); do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
      -d '{"user_key":"probe","type":"text","content":"x"}' "$1" && return 0
    sleep 0.1
  done
  echo "server at $1 did not start" >&2; exit 1
}

run() { # name url
  echo "== $1: warm-up ${WARMUP}s"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/walk.lua "$2" >/dev/null
  echo "== $1: ${DURATION}s, $CONNECTIONS connections, $((THREADS * USERS)) users"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/walk.lua "$2" | tee "$work/$1.txt" | grep -E 'RESULT|Socket errors' || true
}

dotnet "$work/baseline/KakaoFlow.Baseline.dll" "http://127.0.0.1:$BASE_PORT" >"$work/baseline.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$BASE_PORT/bench/message"
run baseline "http://127.0.0.1:$BASE_PORT/bench/message"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

dotnet "$work/cli/kakaoflow.dll" serve bench/flows --urls "http://127.0.0.1:$HOST_PORT" --data "$work/data/bench.litedb" >"$work/host.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$HOST_PORT/bench/message"
run host "http://127.0.0.1:$HOST_PORT/bench/message"
rss_kb=$(awk '/VmRSS/ { print $2 }' "/proc/${pids[1]}/status")
errors=$(grep -c ' fail: \| crit: ' "$work/host.log" || true)

field() { grep -Eo "$2=[0-9.]+" "$work/$1.txt" | cut -d= -f2; }
b_rps=$(field baseline rps); h_rps=$(field host rps)
printf '\n%-10s %10s %9s %9s\n' "" "req/s" "p50 ms" "p99 ms"
printf '%-10s %10s %9s %9s\n' baseline "$b_rps" "$(field baseline p50_ms)" "$(field baseline p99_ms)"
printf '%-10s %10s %9s %9s\n' host "$h_rps" "$(field host p50_ms)" "$(field host p99_ms)"
awk -v h="$h_rps" -v b="$b_rps" 'BEGIN { printf "ratio host/baseline: %.1f %%\n", 100 * h / b }'
echo "host: RSS $((rss_kb / 1024)) MB after the run; $errors error/critical log line(s); non-200 and socket errors in the RESULT lines above"
