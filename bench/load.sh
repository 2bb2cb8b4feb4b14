#!/usr/bin/env bash
# HTTP load run: the same wrk script against a bare ASP.NET Core app (the ceiling) and against
# `kakaoflow serve` on bench/flows (real LiteDB file in a temp dir), both started once and measured in turns:
# ROUNDS rounds of baseline then host, so that both see the same moments of a noisy machine. Prints requests/s,
# p50, p99 of each measurement, the ratio host/baseline of each round, the median round and the worst round (lowest
# ratio; and the highest host p99 of any round). Loopback only.
#
# The default workload is a popular bot just deployed: 100,000 users (USERS per wrk thread x THREADS) in a shuffled
# order, five times the host's session cache, so after the first pass almost every turn misses the cache and reads
# LiteDB; a js hook on one turn in four (bench/walk.lua); each measurement starts after only WARMUP (2 s) of load, and
# the host's first round is its first load after start-up (no separate warm-up: FIRST_WARMUP=0).
#
#   bash bench/load.sh                      # 64 connections, 3 rounds of (2 s warm-up + 10 s) per server
#   ROUNDS=5 DURATION=15 CONNECTIONS=128 bash bench/load.sh
#   DURABILITY=fsync bash bench/load.sh     # the host runs `serve --durability fsync`
#   HOST_ENV="DOTNET_TieredPGO=0" bash bench/load.sh   # the host (only) runs with these environment variables
#   USERS=5000 FIRST_WARMUP=20 WARMUP=5 bash bench/load.sh   # the earlier workload (10,000 users, warm JIT)
#   bash bench/load.sh --store redis        # also: one host on Redis, and two hosts on the same Redis (docs/scale-out.md)
#
# With --store redis the same run also measures, in each round after the LiteDB host: `serve --store redis://…` (one
# host), then two such hosts on the same Redis at once, each driven by its own wrk (half the threads and connections,
# distinct users); their req/s are added up, their p50 averaged, the worse p99 kept. Redis runs with AOF, fsync every
# second (the setting docs/scale-out.md recommends).
#
# Installs wrk (and redis-server, for --store redis) with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
DURABILITY=${DURABILITY:-os}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
export USERS=${USERS:-50000}         # per wrk thread: THREADS x USERS distinct user_keys
BASE_PORT=${BASE_PORT:-5091}
HOST_PORT=${HOST_PORT:-5092}
REDIS_PORT=${REDIS_PORT:-5093}
R1_PORT=${R1_PORT:-5094}
R2_PORT=${R2_PORT:-5095}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

STORE=litedb
if [ "${1:-}" = "--store" ]; then
  STORE=${2:?--store needs litedb or redis}
elif [ "${1:-}" = "--store=redis" ]; then
  STORE=redis
fi
case "$STORE" in litedb|redis) ;; *) echo "bench/load.sh: --store litedb|redis, not '$STORE'" >&2; exit 2 ;; esac
if [ "$STORE" = redis ] && ! command -v redis-server >/dev/null; then
  echo "== installing redis-server"
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi

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

base_url="http://127.0.0.1:$BASE_PORT/bench/message"
host_url="http://127.0.0.1:$HOST_PORT/bench/message"
dotnet "$work/baseline/KakaoFlow.Baseline.dll" "http://127.0.0.1:$BASE_PORT" >"$work/baseline.log" 2>&1 &
pids+=($!)
baseline_pid=$!
env ${HOST_ENV:-} dotnet "$work/cli/kakaoflow.dll" serve bench/flows --urls "http://127.0.0.1:$HOST_PORT" --data "$work/data/bench.litedb" --durability "$DURABILITY" >"$work/host.log" 2>&1 &
pids+=($!)
host_pid=$!
wait_up "$base_url"
wait_up "$host_url"
servers="baseline host"
if [ "$STORE" = redis ]; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$work" --save '' --appendonly yes --appendfsync everysec >"$work/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
  for port in "$R1_PORT" "$R2_PORT"; do
    KAKAOFLOW_ADMIN_TOKEN=bench-owner-token dotnet "$work/cli/kakaoflow.dll" serve bench/flows --urls "http://127.0.0.1:$port" \
      --store "redis://127.0.0.1:$REDIS_PORT/0" --no-watch >"$work/redis-host-$port.log" 2>&1 &
    pids+=($!)
  done
  r1_url="http://127.0.0.1:$R1_PORT/bench/message"
  r2_url="http://127.0.0.1:$R2_PORT/bench/message"
  wait_up "$r1_url"
  wait_up "$r2_url"
  servers="baseline host redis redis-x2"
fi

# Each measurement follows its own warm-up of WARMUP seconds without a pause, so the host is in its steady state
# (its session flush, every 5 s, then covers as many turns inside the window as the window makes). After the host's
# window the script waits FLUSH_WAIT seconds, so that its last flush does not run inside the baseline's window.
FLUSH_WAIT=${FLUSH_WAIT:-6}
FIRST_WARMUP=${FIRST_WARMUP:-0}
# CPU time the server used (user + system, in clock ticks) and its ticks per second.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
# Each measurement also records the server's CPU time per request (µs): on a box shared with other work, req/s move with
# the load; the CPU a request costs the server moves far less, and its ratio to the baseline's is what the req/s ratio
# would be on a quiet box where the server had both cores.
measure() { # name url round [pid]
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/walk.lua "$2" >/dev/null
  local before=0
  [ -n "${4:-}" ] && before=$(cpu_ticks "$4")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/walk.lua "$2" | grep -E 'RESULT|Socket errors' >"$work/$1.$3.txt" || true
  if [ -n "${4:-}" ]; then
    local used=$(( $(cpu_ticks "$4") - before )) requests
    requests=$(field "$work/$1.$3.txt" requests)
    awk -v t="$used" -v hz="$HZ" -v n="${requests:-0}" 'BEGIN { printf "CPU cpu_us=%.1f\n", (n > 0 ? t * 1e6 / hz / n : 0) }' >>"$work/$1.$3.txt"
  fi
}
field() { grep -Eo "$2=[0-9.]+" "$1" | head -1 | cut -d= -f2; }

# Two hosts on one Redis at once, each with its own wrk (half the threads and connections, its own users); one line
# in the format of the others: req/s added, p50 averaged, the worse p99.
measure_pair() { # name round
  local half=$((CONNECTIONS / 2)) t=$(( THREADS > 1 ? THREADS / 2 : 1 ))
  local other
  USER_PREFIX=a wrk -t"$t" -c"$half" -d"${WARMUP}s" -s bench/walk.lua "$r1_url" >/dev/null &
  other=$!
  USER_PREFIX=b wrk -t"$t" -c"$half" -d"${WARMUP}s" -s bench/walk.lua "$r2_url" >/dev/null
  wait "$other" # not a bare `wait`: the servers are children of this shell too
  { USER_PREFIX=a wrk -t"$t" -c"$half" -d"${DURATION}s" --latency -s bench/walk.lua "$r1_url" | grep -E 'RESULT|Socket errors' >"$work/$1.$2.a.txt" || true; } &
  other=$!
  USER_PREFIX=b wrk -t"$t" -c"$half" -d"${DURATION}s" --latency -s bench/walk.lua "$r2_url" | grep -E 'RESULT|Socket errors' >"$work/$1.$2.b.txt" || true
  wait "$other"
  local a="$work/$1.$2.a.txt" b="$work/$1.$2.b.txt"
  awk -v ra="$(field "$a" rps)" -v rb="$(field "$b" rps)" -v pa="$(field "$a" p50_ms)" -v pb="$(field "$b" p50_ms)" \
      -v qa="$(field "$a" p99_ms)" -v qb="$(field "$b" p99_ms)" -v ea="$(field "$a" errors)" -v eb="$(field "$b" errors)" \
      -v na="$(field "$a" non200)" -v nb="$(field "$b" non200)" \
    'BEGIN { printf "RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d non200=%d\n", ra + rb, (pa + pb) / 2, (qa > qb ? qa : qb), ea + eb, na + nb }' >"$work/$1.$2.txt"
  grep -h 'Socket errors' "$a" "$b" >>"$work/$1.$2.txt" || true
}

# The JIT keeps optimising (tiered compilation, dynamic PGO) for the first tens of seconds under load, slower on a busy
# 2-core machine: without this a first round of the host measured 40-50 % where later ones measured 60 %.
if [ "$FIRST_WARMUP" -gt 0 ]; then
echo "== warm-up ${FIRST_WARMUP}s per server"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${FIRST_WARMUP}s" -s bench/walk.lua "$host_url" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${FIRST_WARMUP}s" -s bench/walk.lua "$base_url" >/dev/null
if [ "$STORE" = redis ]; then
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${FIRST_WARMUP}s" -s bench/walk.lua "$r1_url" >/dev/null
  USER_PREFIX=w wrk -t"$THREADS" -c"$CONNECTIONS" -d"${FIRST_WARMUP}s" -s bench/walk.lua "$r2_url" >/dev/null
fi
sleep "$FLUSH_WAIT"
fi

echo "== $ROUNDS rounds of ${WARMUP}s warm-up + ${DURATION}s per server, $CONNECTIONS connections, $((THREADS * USERS)) users, durability $DURABILITY; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%-6s %-9s %10s %9s %9s %8s %12s\n' round server "req/s" "p50 ms" "p99 ms" "ratio" "CPU µs/req"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  measure baseline "$base_url" "$round" "$baseline_pid"
  measure host "$host_url" "$round" "$host_pid"
  sleep "$FLUSH_WAIT"
  if [ "$STORE" = redis ]; then
    measure redis "$r1_url" "$round"
    measure_pair redis-x2 "$round"
  fi
  b="$work/baseline.$round.txt"; h="$work/host.$round.txt"
  ratio=$(awk -v h="$(field "$h" rps)" -v b="$(field "$b" rps)" 'BEGIN { printf "%.1f", 100 * h / b }')
  ratios+=("$ratio $round")
  printf '%-6s %-9s %10s %9s %9s %8s %12s\n' "$round" baseline "$(field "$b" rps)" "$(field "$b" p50_ms)" "$(field "$b" p99_ms)" "" "$(field "$b" cpu_us)"
  printf '%-6s %-9s %10s %9s %9s %7s%% %12s\n' "$round" host "$(field "$h" rps)" "$(field "$h" p50_ms)" "$(field "$h" p99_ms)" "$ratio" "$(field "$h" cpu_us)"
  if [ "$STORE" = redis ]; then
    for name in redis redis-x2; do
      r="$work/$name.$round.txt"
      printf '%-6s %-9s %10s %9s %9s %7s%%\n' "$round" "$name" "$(field "$r" rps)" "$(field "$r" p50_ms)" "$(field "$r" p99_ms)" \
        "$(awk -v r="$(field "$r" rps)" -v b="$(field "$b" rps)" 'BEGIN { printf "%.1f", 100 * r / b }')"
    done
  fi
  for name in $servers; do
    grep -h 'Socket errors' "$work/$name.$round.txt" || true
    grep -hE 'non200=[1-9]|errors=[1-9]' "$work/$name.$round.txt" || true
  done
done

median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')
m_round=${median#* }
worst=$(printf '%s\n' "${ratios[@]}" | sort -n | head -1)
w_round=${worst#* }
worst_p99=$(for round in $(seq 1 "$ROUNDS"); do field "$work/host.$round.txt" p99_ms; done | sort -g | tail -1)
echo
echo "median round $m_round: host/baseline ${median% *} %, host p99 $(field "$work/host.$m_round.txt" p99_ms) ms (baseline p99 $(field "$work/baseline.$m_round.txt" p99_ms) ms)"
echo "worst round $w_round: host/baseline ${worst% *} %, host p99 $(field "$work/host.$w_round.txt" p99_ms) ms; highest host p99 of any round: $worst_p99 ms"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
rss_kb=$(awk '/VmRSS/ { print $2 }' "/proc/$host_pid/status")
data_mb=$(du -sm "$work/data" | cut -f1)
errors=$(grep -c ' fail: \| crit: ' "$work/host.log" || true)
echo "host: RSS $((rss_kb / 1024)) MB after the run, data folder $data_mb MB; $errors error/critical log line(s); socket errors and non-200 answers are printed above when there are any"
if [ "$STORE" = redis ]; then
  echo "redis hosts: $(cat "$work"/redis-host-*.log | grep -c ' fail: \| crit: ' || true) error/critical log line(s); Redis used $(redis-cli -p "$REDIS_PORT" info memory | grep -Eo 'used_memory_human:[^[:space:]]+' | cut -d: -f2) for $(redis-cli -p "$REDIS_PORT" hlen kf:s:bench) sessions"
fi
