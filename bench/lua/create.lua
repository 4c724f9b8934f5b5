-- Authenticated creates: POST /v1/articles with a fresh slug per request.
-- Env: TOKEN (an editor JWT), RUN (a tag unique to this run).
-- Each wrk thread gets its own number in setup(); slugs are
-- bench-RUN-THREAD-COUNTER, so no two requests ever collide.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local token = os.getenv("TOKEN")
local run = os.getenv("RUN") or tostring(os.time())
local counter = 0
local filler = string.rep("The council met by the river to plan the new bridge and the market. ", 28)

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

function request()
  counter = counter + 1
  local slug = string.format("bench-%s-%d-%d", run, tid or 0, counter)
  local body = string.format(
    '{"title":"Benchmark article %s","slug":"%s","status":"published",' ..
    '"authors":["author-%d"],"tags":["tag-%d","tag-%d","tag-%d"],' ..
    '"body":"## Bench\\n\\n%s"}',
    slug, slug, counter % 200 + 1, counter % 500 + 1, (counter + 7) % 500 + 1,
    (counter + 13) % 500 + 1, filler)
  return wrk.format(nil, "/v1/articles", nil, body)
end
