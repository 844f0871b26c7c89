-- wrk script for GET /api/v1/tickets/{id} with uniformly random ids, the same
-- request load_generator --mode get sends (bench/run_opsdesk.sh runs both).
--
--   TOKEN=odt_... ID_MAX=1000000 SEED=42 wrk -t1 -c256 -d30s --timeout 10s \
--     -s bench/wrk_get.lua http://127.0.0.1:PORT/
--
-- wrk is written in C on epoll and spends about half the CPU per request that
-- load_generator (a Beast client) does; on a 2-core machine shared with the
-- server that leaves the server more of the machine. Prints one WRK line.
local token = os.getenv("TOKEN") or error("TOKEN is not set")
local id_max = tonumber(os.getenv("ID_MAX") or "1000000")
math.randomseed(tonumber(os.getenv("SEED") or "42"))
local headers = {["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json"}

request = function()
  return wrk.format("GET", "/api/v1/tickets/" .. math.random(1, id_max), headers)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "WRK requests=%d elapsed_s=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f " ..
    "non_2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
