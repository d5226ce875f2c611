-- wrk script: one shopper message per request, spread round-robin over conversations that
-- exist already (bench/load.sh creates them).
--
--   TURN_IDS=ids.txt TURN_KEY=pk_… wrk -t2 -c200 -d30s --latency -s bench/turn.lua http://HOST:PORT
--
-- TURN_KEY: the public widget key. TURN_THREADS (default 2) must equal -t. TURN_IDS: a file
-- with one conversation id per line. Each wrk thread takes its own slice (line i goes to
-- thread i mod threads), so one conversation is only ever driven by one thread. Within a
-- thread the next request takes the slice's next conversation. When a thread has at
-- least as many conversations as connections, a conversation's next message is normally sent
-- a whole round after its last one; a slow reply can still leave two messages of one
-- conversation in flight at once, and the second then waits on the conversation's lock
-- (bench/turn_stats.py counts how often that happened).
--
-- Each conversation walks the message mix from its own offset, so every conversation sees every
-- kind of message and the five languages. No checkout: orders change stock (and rebuild the
-- search index); checkout throughput is a separate benchmark.
--
-- done() prints one `WRK {json}` line that load.sh reads.

local messages = {
  "hello",
  "I'm looking for a red dress under 80 euros",
  "add the second one",
  "je cherche des baskets",
  "what are your delivery times?",
  "Haben Sie Rucksäcke?",
  "show me the cart",
  "cerco una giacca",
  "busco auriculares",
  "add the first one",
  "bonjour, vous avez des pulls en laine ?",
  "quanto costa la spedizione?",
  "ich suche eine schwarze Jacke unter 100 Euro",
  "tienen zapatillas de running?",
  "show me cheaper ones",
  "what is your return policy?",
}

local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter - 1)
  counter = counter + 1
  table.insert(threads, thread)
end

local function json_escape(s)
  return (s:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end))
end

function init(args)
  local path = os.getenv("TURN_IDS") or "ids.txt"
  local key = os.getenv("TURN_KEY") or error("TURN_KEY (the public widget key) is not set")
  -- init runs in each thread's own Lua state right after setup, before the later threads
  -- exist: the thread count comes from the environment and must match wrk's -t.
  local nthreads = tonumber(os.getenv("TURN_THREADS") or "2")
  local all = {}
  for line in io.lines(path) do
    if #line > 0 then table.insert(all, line) end
  end
  ids = {}
  for i, id in ipairs(all) do
    if (i - 1) % nthreads == tid then table.insert(ids, id) end
  end
  if #ids == 0 then error("thread " .. tid .. " got no conversation from " .. path) end
  sent = {}
  for i = 1, #ids do sent[i] = 0 end
  next_i = 0
  headers = {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }
  bodies = {}
  for i, m in ipairs(messages) do
    bodies[i] = '{"text":"' .. json_escape(m) .. '"}'
  end
  statuses = {}
end

function request()
  next_i = next_i % #ids + 1
  local n = sent[next_i]
  sent[next_i] = n + 1
  local m = (n + next_i) % #bodies + 1
  return wrk.format("POST", "/v1/conversations/" .. ids[next_i] .. "/messages", headers, bodies[m])
end

-- TURN_THINK_MS > 0: each connection waits that long on average (uniformly 0.5–1.5×) before
-- its next message, like a shopper reading the reply: the load then stays below saturation.
local think = tonumber(os.getenv("TURN_THINK_MS") or "0")
if think > 0 then
  function delay()
    return math.floor(think * (0.5 + math.random()))
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local codes = {}
  for _, t in ipairs(threads) do
    -- thread:get copies the thread's table of counts by status
    local s = t:get("statuses")
    if s then
      for code, n in pairs(s) do codes[code] = (codes[code] or 0) + n end
    end
  end
  local parts = {}
  for code, n in pairs(codes) do table.insert(parts, string.format('"%d":%d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ",")))
end
