-- wrk script for one benchmark operation, configured by environment variables:
--   BENCH_OP      list | get | post | put | delete
--   BENCH_PATH    collection path, e.g. /api/widgets
--   BENCH_QUERY   query string for list, e.g. ?page=1
--   BENCH_IDS     file of document ids, one a line (get, put: cycled; delete: each once)
--   BENCH_COOKIE  Cookie header value (our app's session), may be empty
--   BENCH_CSRF    X-CSRFToken header value, may be empty
--   BENCH_OUT     file that done() writes its JSON summary to
-- Run with one wrk thread (-t1), so a single Lua state walks the id list.
-- Every answer's status is checked here: wrk's own error count leaves out 1xx and 3xx.

local op = os.getenv("BENCH_OP")
local path = os.getenv("BENCH_PATH")
local query = os.getenv("BENCH_QUERY") or ""
local ids_file = os.getenv("BENCH_IDS") or ""
local out_file = os.getenv("BENCH_OUT")
local ids = {}
local next_id = 1
local counter = 0

local headers = {["Accept"] = "application/json"}
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
if cookie ~= "" then headers["Cookie"] = cookie end
if csrf ~= "" then headers["X-CSRFToken"] = csrf end

local body_headers = {}
for k, v in pairs(headers) do body_headers[k] = v end
body_headers["Content-Type"] = "application/json"

local threads = {}
non2xx = 0         -- globals of the thread's Lua state, read by done() through thread:get
first_non2xx = 0

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  if ids_file ~= "" then
    for line in io.lines(ids_file) do
      if line ~= "" then ids[#ids + 1] = line end
    end
  end
end

local function take_id()
  local id = ids[next_id]
  if op == "delete" then
    if id == nil then
      wrk.thread:stop()  -- pool exhausted: the harness sizes it so this does not happen
      return ids[#ids]
    end
    next_id = next_id + 1
  else
    next_id = next_id % #ids + 1
  end
  return id
end

function request()
  counter = counter + 1
  if op == "list" then
    return wrk.format("GET", path .. query, headers)
  elseif op == "get" then
    return wrk.format("GET", path .. "/" .. take_id(), headers)
  elseif op == "post" then
    local body = string.format(
      '{"name": "bench post %d", "description": "Made by the benchmark, deleted by it."}', counter)
    return wrk.format("POST", path, body_headers, body)
  elseif op == "put" then
    local body = string.format(
      '{"name": "bench put %d", "description": "Changed by the benchmark."}', counter)
    return wrk.format("PUT", path .. "/" .. take_id(), body_headers, body)
  elseif op == "delete" then
    return wrk.format("DELETE", path .. "/" .. take_id(), headers)
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_non2xx == 0 then first_non2xx = status end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    if first == 0 then first = thread:get("first_non2xx") end
  end
  local f = io.open(out_file, "w")
  local errors = summary.errors
  f:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "max_us": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d, "non2xx": %d, "first_non2xx": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, bad, first))
  f:close()
end
