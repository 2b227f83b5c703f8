-- SPDX-License-Identifier: Apache-2.0
-- wrk script: sends the Authorization header given after "--" and counts responses by status.
-- Prints one summary line: AUTHDIAG_WRK responses=N non200=M errors_connect=... at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  responses = 0
  non200 = 0
  request_bytes = wrk.format("GET", nil, { ["Authorization"] = args[1] })
end

function request()
  return request_bytes
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local total, bad = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("responses")
    bad = bad + thread:get("non200")
  end
  local e = summary.errors
  io.write(string.format(
    "AUTHDIAG_WRK responses=%d non200=%d errors_connect=%d errors_read=%d errors_write=%d " ..
    "errors_status=%d errors_timeout=%d\n",
    total, bad, e.connect, e.read, e.write, e.status, e.timeout))
end
