-- wrk script for bench/floor.py: each request asks for a path chosen at random from a file (one per
-- line), from a client address chosen at random (X-Forwarded-For, as a proxy in front would add it,
-- so that the production rate limits count many clients), over HTTPS as far as the site knows
-- (X-Forwarded-Proto). At the end it prints one JSON line: counts and latency percentiles in µs.
--   wrk -t2 -c16 -d5s -s bench/wrk_paths.lua http://127.0.0.1:PORT -- PATHS_FILE SEED

local paths = {}
local threads = {}
local number = 0

function setup(thread)
    number = number + 1
    thread:set("number", number)
    table.insert(threads, thread)
end

function init(args)
    for line in io.lines(args[1]) do
        paths[#paths + 1] = line
    end
    math.randomseed((tonumber(args[2]) or 1) * 1000 + number)
end

function request()
    local client = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
    local headers = { ["X-Forwarded-For"] = client, ["X-Forwarded-Proto"] = "https" }
    return wrk.format("GET", paths[math.random(#paths)], headers)
end

function done(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        '{"requests": %d, "microseconds": %d, "bad_status": %d, "socket_errors": %d, ' ..
        '"p50": %d, "p95": %d, "p99": %d}\n',
        summary.requests, summary.duration, errors.status,
        errors.connect + errors.read + errors.write + errors.timeout,
        latency:percentile(50), latency:percentile(95), latency:percentile(99)
    ))
end
