-- wrk script for bench/load.sh: POST /bench/message for many users, each walking the bench flow
-- 주문 -> 피자 -> 라지 (js hook, template; back at Home) -> 영업 시간, one message per request: the hook on one turn in four.
-- USERS (env, default 10000) users per wrk thread; user keys are distinct across threads, and across wrk processes run at
-- once when each has its own USER_PREFIX (env, default "u").
-- Users come in a fixed shuffled order (a stride through the user numbers, so neighbouring keys are not neighbouring
-- turns); a user's next message comes only after every other user of the thread had one, so with USERS far above the
-- connection count a user never has two requests in flight, and with USERS above the host's session cache (20,000) almost
-- every turn after the first pass misses the cache.
local walk = { "주문", "피자", "라지", "영업 시간" }
local users = tonumber(os.getenv("USERS") or "10000")
local prefix = os.getenv("USER_PREFIX") or "u"
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  wrk.method = "POST"
  wrk.path = "/bench/message"
  wrk.headers["Content-Type"] = "application/json"
end

-- A stride coprime with users visits every user once per pass, in an order unlike the keys' own.
local stride = 7919
while users % stride == 0 do stride = stride + 2 end

function request()
  local user = (n * stride) % users
  local step = math.floor(n / users) % #walk
  n = n + 1
  local body = string.format('{"user_key":"%s%d-%d","type":"text","content":"%s"}', prefix, tid, user, walk[step + 1])
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    bad = (bad or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("bad") or 0)
  end
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f requests=%d errors=%d non200=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    bad))
end
