-- 95/5 read/write mix. Of every 20 requests one is a create (as create.lua)
-- and 19 are reads: article detail by a random id (15 of 20), list page 1
-- (2 of 20) and a list filtered by a random tag (2 of 20).
-- Env: TOKEN, RUN, ARTICLES (how many articles the dataset has).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local token = os.getenv("TOKEN")
local run = os.getenv("RUN") or tostring(os.time())
local articles = tonumber(os.getenv("ARTICLES") or "10000")
local counter = 0
local filler = string.rep("The council met by the river to plan the new bridge and the market. ", 28)
local post_headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. token,
}

function init(args)
  math.randomseed(12345 + (tid or 0))
end

function request()
  counter = counter + 1
  local k = counter % 20
  if k == 0 then
    local slug = string.format("mix-%s-%d-%d", run, tid or 0, counter)
    local body = string.format(
      '{"title":"Mixed workload %s","slug":"%s","status":"published",' ..
      '"authors":["author-%d"],"tags":["tag-%d"],"body":"## Mix\\n\\n%s"}',
      slug, slug, counter % 200 + 1, counter % 500 + 1, filler)
    return wrk.format("POST", "/v1/articles", post_headers, body)
  elseif k <= 2 then
    return wrk.format("GET", "/v1/articles")
  elseif k <= 4 then
    return wrk.format("GET", "/v1/articles?tag=tag-" .. math.random(1, 500))
  else
    return wrk.format("GET", "/v1/articles/" .. math.random(1, articles))
  end
end
