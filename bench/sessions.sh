#!/usr/bin/env bash
# Memory and latency as sessions grow: serves bench/flows with `kakaoflow serve` (Release, a fresh LiteDB
# file in a temp dir, 127.0.0.1 only), gives USERS (default 1,000,000) distinct users a session through POST /message,
# as fast as the host answers (far faster than its flusher writes LiteDB: the back-pressure bounds what waits in memory),
# and at 1k, 10k, 100k and 1M sessions prints the p50/p99 of 2,000 probe turns, the host's RSS, the data folder's
# size (data file, LiteDB's log, journal segments), the step's slowest turn ("max ms": a turn held back for the flusher
# shows there) and the turns answered with the bot's error reply; then ACTIVE (default 100,000) users spread over all take one more
# turn each (the users active in the last minute) and the same figures are printed again. Then the host is stopped and
# started again on the same data, and ACTIVE users take a turn again: the stored sessions and the active users without
# the rush that stored them (whose peak the back-pressure bounds, see docs/operations.md), and the restarted host's peak
# RSS once the flush that writes those users is over. Before that restart, the RSS once the host has been quiet for a
# while (the idle trim, docs/operations.md).
#
#   bash bench/sessions.sh            # USERS=1000000 ACTIVE=100000
#   USERS=100000 bash bench/sessions.sh
#   HOST_ENV="DOTNET_GCConserveMemory=5" bash bench/sessions.sh   # the host (only) runs with these environment variables
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-1000000}
ACTIVE=${ACTIVE:-100000}
PORT=${PORT:-5093}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== building (Release)"
dotnet build -c Release -v q -nologo engine/KakaoFlow.Cli -o "$work/cli" >/dev/null
dotnet build -c Release -v q -nologo tests/KakaoFlow.Benchmarks -o "$work/bench" >/dev/null

start_host() {
  env ${HOST_ENV:-} dotnet "$work/cli/kakaoflow.dll" serve bench/flows --urls "http://127.0.0.1:$PORT" --data "$work/data/bench.litedb" >>"$work/host.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/bench/keyboard" && break; sleep 0.1; done
  echo "== host RSS at start: $(( $(awk '/VmRSS/ { print $2 }' "/proc/$pid/status") / 1024 )) MB"
}

start_host
dotnet "$work/bench/KakaoFlow.Benchmarks.dll" sessions "http://127.0.0.1:$PORT/bench/message" "$USERS" "$pid" "$work/data" "$ACTIVE"
ls -l "$work/data" | awk 'NR > 1 { printf "   %s %d MB\n", $NF, $5 / 1048576 }'
# `serve` gives the memory a rush left behind back to the OS once no turn came for a whole 30 s look (IdleTrimAfter).
sleep 65
echo "== host RSS 65 s after the last turn: $(( $(awk '/VmRSS/ { print $2 }' "/proc/$pid/status") / 1024 )) MB"

# The state the memory target names, without the rush that made it: the host stopped (it flushes every session to
# LiteDB) and started again on the same data, then ACTIVE users spread over all take a turn each, as fast as it answers.
echo "== the host started again on its $USERS stored sessions"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
start_host
dotnet "$work/bench/KakaoFlow.Benchmarks.dll" sessions-active "http://127.0.0.1:$PORT/bench/message" "$USERS" "$pid" "$work/data" "$ACTIVE"
# The flush that writes those users to LiteDB comes 15-30 s after their last turn (FlushInterval, WriteIdleAfter) and
# lifts the RSS for a while: the peak since the host started (the kernel's high-water mark) is read after it.
sleep 45
echo "== restarted host: peak RSS $(( $(awk '/VmHWM/ { print $2 }' "/proc/$pid/status") / 1024 )) MB since its start (the active users and the flush that writes them), $(( $(awk '/VmRSS/ { print $2 }' "/proc/$pid/status") / 1024 )) MB now"

# The retention sweep and the count on those sessions, the host stopped: nothing to delete, then every session deleted.
echo "== the sweep on the $USERS stored sessions (the host stopped)"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
dotnet "$work/bench/KakaoFlow.Benchmarks.dll" sweep "$work/data/bench.litedb" bench
