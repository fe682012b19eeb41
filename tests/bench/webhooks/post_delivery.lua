-- wrk script: POSTs one signed pull_request payload with a unique X-GitHub-Delivery per
-- request, stops each thread after MAX_REQUESTS responses, and prints a summary line:
--   RESULT requests=<n> non202=<n> rps=<n> p50_ms=<x> p99_ms=<x>
-- Environment: BENCH_BODY_FILE, BENCH_SIGNATURE, BENCH_RUN_ID, BENCH_MAX_REQUESTS, and
-- BENCH_CLOSE=1 for a new connection per delivery (Connection: close).
local body_file = os.getenv("BENCH_BODY_FILE")
local signature = os.getenv("BENCH_SIGNATURE")
local run_id = os.getenv("BENCH_RUN_ID") or "run"
local max_requests = tonumber(os.getenv("BENCH_MAX_REQUESTS") or "200000")
local close = os.getenv("BENCH_CLOSE") == "1"

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(body_file, "rb"))
  body = f:read("*a")
  f:close()
  counter = 0
  responses = 0
  non202 = 0
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "pull_request",
    ["X-GitHub-Delivery"] = string.format("%s-%d-%d", run_id, tid, counter),
    ["X-Hub-Signature-256"] = signature,
  }
  if close then headers["Connection"] = "close" end
  return wrk.format("POST", "/webhooks/github", headers, body)
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 202 then non202 = non202 + 1 end
  if responses >= max_requests then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non202") end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d non202=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, bad, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
