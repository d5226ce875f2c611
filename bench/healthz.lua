-- wrk script for GET /healthz: the same WRK {json} summary line as turn.lua, so load.sh reads
-- both runs the same way.
--
--   wrk -t2 -c200 -d30s --latency -s bench/healthz.lua http://HOST:PORT/healthz

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"statuses":{}}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
