-- Cold renditions: GET MEDIA_PATH?w=W&format=F&q=Q, a different (w, format, q)
-- each request, so nearly every request makes a picture instead of reading one.
-- Env: MEDIA_PATH (the upload's url, e.g. /media/12/3f2a9c0d1e2b4a5c.jpg),
-- WRK_THREADS (wrk's -t, so the threads' sequences interleave).
-- 8 widths x 4 formats x 100 qualities = 3,200 distinct renditions; request k
-- (k = counter * threads + thread, counted across every wrk thread) asks for
-- width k % 8, format (k / 8) % 4 and quality 1 + (k / 32) % 100, so the first
-- 3,200 requests never repeat a key and widths and formats are mixed from the
-- start. done() prints one line "STATUS ok=N busy=N other=N" (2xx, 503 Busy,
-- anything else), since wrk's own summary lumps every non-2xx together.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads - 1)
end

local path = os.getenv("MEDIA_PATH")
local stride = tonumber(os.getenv("WRK_THREADS") or "2")
local widths = { 320, 480, 640, 800, 1024, 1280, 1600, 2048 }
local formats = { "webp", "jpeg", "png", "avif" }
local counter = 0
ok, busy, other = 0, 0, 0

function request()
  local k = counter * stride + (tid or 0)
  counter = counter + 1
  local w = widths[k % 8 + 1]
  local f = formats[math.floor(k / 8) % 4 + 1]
  local q = 1 + math.floor(k / 32) % 100
  return wrk.format("GET", string.format("%s?w=%d&format=%s&q=%d", path, w, f, q))
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status == 503 then
    busy = busy + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local o, b, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); b = b + t:get("busy"); x = x + t:get("other")
  end
  io.write(string.format("STATUS ok=%d busy=%d other=%d\n", o, b, x))
end
