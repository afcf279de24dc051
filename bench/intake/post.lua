-- wrk script: form-encoded Open311 POSTs to /open311/v2/requests.json.
-- Bodies come from BODIES (a Lua file written by make_bodies.py); each thread starts at a
-- different offset. Every 2xx answer's service_request_id is written to IDS_DIR/ids-<n>.txt,
-- every non-2xx status to IDS_DIR/bad-<n>.txt, so run.sh can check the database afterwards.
local bodies_file = os.getenv("BODIES")
local ids_dir = os.getenv("IDS_DIR")
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  bodies = dofile(bodies_file)
  i = (tid * 7919) % #bodies
  idf = io.open(ids_dir .. "/ids-" .. tid .. ".txt", "w")
  badf = io.open(ids_dir .. "/bad-" .. tid .. ".txt", "w")
  ok2xx, bad = 0, 0
  wrk.method = "POST"
  wrk.path = "/open311/v2/requests.json"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
end

function request()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    local id = string.match(body, '"service_request_id"%s*:%s*"(SQ%d+)"')
    idf:write((id or "MISSING"), "\n")
    ok2xx = ok2xx + 1
  else
    badf:write(status, " ", string.sub(body or "", 1, 200), "\n")
    bad = bad + 1
  end
  idf:flush(); badf:flush()
end

function done(summary, latency, requests)
  local ok, nb = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + (t:get("ok2xx") or 0)
    nb = nb + (t:get("bad") or 0)
  end
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d duration_s=%.1f rps=%.1f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f ok2xx=%d non2xx=%d socket_errors=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, ok, nb,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
