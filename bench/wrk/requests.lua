-- wrk script of `npm run bench`: cycles through the requests of a file the harness writes, one per line,
-- "METHOD PATH TOKEN" ("-" for no token); POST bodies come from WRK_BODY. Every request is formatted once
-- in init(), so the generator spends its time on sockets, not on Lua. done() prints one JSON line for
-- the harness (latencies in µs).
local reqs = {}
local n = 0
local i = 0

function init(args)
  local body = os.getenv("WRK_BODY")
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    local method, path, token = line:match("^(%S+) (%S+) (%S+)$")
    if method then
      local headers = {}
      if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
      local payload = nil
      if method == "POST" then
        headers["Content-Type"] = "application/json"
        payload = body
      end
      n = n + 1
      reqs[n] = wrk.format(method, path, headers, payload)
    end
  end
  -- Threads start at different places in the list, so two threads do not send the same token in step.
  i = math.random(n) - 1
end

function request()
  i = i % n + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p90":%d,"p97_5":%d,"p99":%d,"max":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(97.5), latency:percentile(99), latency.max))
end
