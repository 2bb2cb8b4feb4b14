#!/usr/bin/env bash
# The first 10 s of a freshly started host: how much the JIT costs a deploy that takes load at once, and whether
# start-up settings help. For each setting, ROUNDS times in turn (so all see the same moments of a noisy machine):
# start `kakaoflow serve` on bench/flows (fresh LiteDB file), wait until it answers, run bench/walk.lua (USERS per wrk
# thread, 64 connections) for DURATION seconds at once, and print req/s, p50, p99 and the host's CPU time per request.
#
#   bash bench/startup.sh                   # settings: default, TieredPGO=0, TieredCompilation=0, ReadyToRun
#   ROUNDS=5 DURATION=10 bash bench/startup.sh
#   R2R=0 bash bench/startup.sh             # without the ReadyToRun publish (it needs the runtime pack for the machine's RID)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
R2R=${R2R:-1}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
export USERS=${USERS:-50000}
PORT=${PORT:-5096}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== building (Release; and a ReadyToRun publish)"
dotnet build -c Release -v q -nologo engine/KakaoFlow.Cli -o "$work/cli" >/dev/null
rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
[ "$R2R" = 1 ] && dotnet publish -c Release -v q -nologo engine/KakaoFlow.Cli -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$work/r2r" >/dev/null

field() { grep -Eo "$2=[0-9.]+" "$1" | head -1 | cut -d= -f2; }
run() { # name dll [env...]
  local name=$1 dll=$2 out="$work/$1.$round.txt"
  shift 2
  rm -rf "$work/data"
  env "$@" dotnet "$dll" serve bench/flows --urls "http://127.0.0.1:$PORT" --data "$work/data/bench.litedb" --no-watch >"$work/host.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/bench/keyboard" && break; sleep 0.05; done
  local before
  before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/walk.lua "http://127.0.0.1:$PORT/bench/message" | grep RESULT >"$out" || true
  local used=$(( $(awk '{ print $14 + $15 }' "/proc/$pid/stat") - before ))
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  printf '%-6s %-20s %9s %9s %9s %12s\n' "$round" "$name" "$(field "$out" rps)" "$(field "$out" p50_ms)" "$(field "$out" p99_ms)" \
    "$(awk -v t="$used" -v hz="$(getconf CLK_TCK)" -v n="$(field "$out" requests)" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
}

echo "== first ${DURATION}s after start, $CONNECTIONS connections, $((2 * USERS)) users; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-20s %9s %9s %9s %12s\n' round setting "req/s" "p50 ms" "p99 ms" "CPU µs/req"
for round in $(seq 1 "$ROUNDS"); do
  run default "$work/cli/kakaoflow.dll"
  run TieredPGO=0 "$work/cli/kakaoflow.dll" DOTNET_TieredPGO=0
  run TieredCompilation=0 "$work/cli/kakaoflow.dll" DOTNET_TieredCompilation=0
  if [ "$R2R" = 1 ]; then run ReadyToRun "$work/r2r/kakaoflow.dll"; fi
done
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
