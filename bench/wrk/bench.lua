-- wrk script for `make bench`.
-- Arguments after `--`: mode ("get" or "register"), path, then for "get" an
-- optional Cookie header (a signed-in member of staff), and for "register" a
-- file of "cookie<TAB>token" lines, one per virtual user (from GETting the
-- form). Each POST carries a unique email address. done() prints one JSON
-- line prefixed BENCH_JSON for bench/load.py.

local threads = {}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  mode, path = args[1], args[2]
  statuses = {}
  users = {}
  if mode == "register" then
    for line in io.lines(args[3]) do
      local cookie, token = line:match("^(.-)\t(.*)$")
      table.insert(users, { cookie = cookie, token = token })
    end
  elseif args[3] then
    fixed = wrk.format("GET", path, { ["Cookie"] = args[3] })
  else
    fixed = wrk.format("GET", path)
  end
end

function request()
  if mode ~= "register" then
    return fixed
  end
  counter = counter + 1
  local user = users[(counter % #users) + 1]
  local body = "csrfmiddlewaretoken=" .. user.token
    .. "&first_name=Bench&last_name=Candidate"
    .. "&email=wrk-" .. id .. "-" .. counter .. "%40bench.example.org"
    .. "&phone=&role=police-officer&access_needs=&heard_from=social_media&privacy=on"
  local headers = {
    ["Cookie"] = user.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ", ")))
end
