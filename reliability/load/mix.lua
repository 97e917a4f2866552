-- mix.lua: the request mix of the camera load test (load_test.go), for wrk.
--
--   wrk --latency -s mix.lua http://127.0.0.1:<api port> -- <dashboard origin> <session cookie> [full|api]
--
-- Each wrk thread cycles through the mix below, in which 10 requests are
--
--   3 CORS preflights   OPTIONS /api/settings from the dashboard's origin,
--                       asking for PUT with a content-type header
--   2 GET /api/settings with Origin and the session cookie (credentialed)
--   2 GET /api/status   with Origin and the session cookie (credentialed)
--   1 GET /api/session  with Origin and the session cookie: the session must
--                       still be recognised ({"authenticated":true})
--   2 GET /api/snapshot without Origin, as an <img> loads it
--
-- The "api" mix replaces the 2 snapshots, whose JPEG rendering dominates the
-- cost of the full mix, with 1 more settings and 1 more status request: it
-- measures the framework and its CORS extension rather than the camera's
-- image encoder.
--
-- and checks every response: its status, its CORS headers (the dashboard's
-- origin byte for byte and Access-Control-Allow-Credentials: true on the
-- credentialed ones and the preflights, no Access-Control-Allow-Origin on the
-- snapshots, Vary: Origin on all) and its body. wrk pairs no response with
-- its request, so a response is classified by what it is (a preflight's
-- Access-Control-Allow-Methods, a JPEG, the fields of a JSON body).
--
-- done() prints machine-readable lines, each starting with "LOAD ", which
-- the test parses: counts per kind and status, the failed checks, wrk's
-- error counters and the latency percentiles in microseconds.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local origin, cookie
local mix = {}
local n = 0

-- Per thread, read by done() through thread:get.
counts = {}  -- "kind status" -> responses
bad = {}     -- kind -> responses that failed a check
why = {}     -- kind -> the first failed check

function init(args)
   origin, cookie = args[1], args[2]
   if not origin or not cookie then
      error("usage: wrk -s mix.lua <url> -- <origin> <cookie> [full|api]")
   end
   local preflight = wrk.format("OPTIONS", "/api/settings", {
      ["Origin"] = origin,
      ["Access-Control-Request-Method"] = "PUT",
      ["Access-Control-Request-Headers"] = "content-type",
   })
   local function credentialed(path)
      return wrk.format("GET", path, { ["Origin"] = origin, ["Cookie"] = cookie })
   end
   local settings = credentialed("/api/settings")
   local status = credentialed("/api/status")
   local session = credentialed("/api/session")
   local snapshot = wrk.format("GET", "/api/snapshot", {})
   local which = args[3] or "full"
   if which == "full" then
      mix = { preflight, settings, status, snapshot, preflight,
              session, settings, status, snapshot, preflight }
   elseif which == "api" then
      mix = { preflight, settings, status, settings, preflight,
              session, settings, status, status, preflight }
   else
      error("unknown mix " .. which .. ": want full or api")
   end
end

function request()
   n = n % #mix + 1
   return mix[n]
end

local function varies_on_origin(headers)
   local v = headers["Vary"]
   return v ~= nil and v:lower():find("origin", 1, true) ~= nil
end

-- check returns nil when the response is right for its kind, or why not.
local function check(kind, status, headers, body)
   local acao = headers["Access-Control-Allow-Origin"]
   if not varies_on_origin(headers) then
      return "no Vary: Origin"
   end
   if kind == "snapshot" then
      if status ~= 200 then return "status " .. status end
      if acao ~= nil then return "Access-Control-Allow-Origin on a request without Origin: " .. acao end
      if #body == 0 or #body ~= tonumber(headers["Content-Length"] or -1) then
         return "body of " .. #body .. " bytes, Content-Length " .. tostring(headers["Content-Length"])
      end
      if body:byte(1) ~= 0xFF or body:byte(2) ~= 0xD8 then return "not a JPEG" end
      return nil
   end
   if acao ~= origin then return "Access-Control-Allow-Origin " .. tostring(acao) end
   if headers["Access-Control-Allow-Credentials"] ~= "true" then return "no Access-Control-Allow-Credentials: true" end
   if kind == "preflight" then
      if status ~= 204 then return "status " .. status end
      local m = headers["Access-Control-Allow-Methods"] or ""
      local h = (headers["Access-Control-Allow-Headers"] or ""):lower()
      if not m:find("PUT", 1, true) then return "Access-Control-Allow-Methods " .. m end
      if not h:find("content-type", 1, true) then return "Access-Control-Allow-Headers " .. h end
      return nil
   end
   if status ~= 200 then return "status " .. status end
   if kind == "session" and not body:find('"authenticated":true', 1, true) then
      return "session not recognised: " .. body
   end
   return nil
end

function response(status, headers, body)
   local kind
   if headers["Access-Control-Allow-Methods"] ~= nil or status == 204 or status == 403 then
      kind = "preflight"
   elseif headers["Content-Type"] == "image/jpeg" then
      kind = "snapshot"
   elseif body:find('"uptime_seconds"', 1, true) then
      kind = "status"
   elseif body:find('"authenticated"', 1, true) then
      kind = "session"
   elseif body:find('"brightness"', 1, true) then
      kind = "settings"
   else
      kind = "other"
   end
   local key = kind .. " " .. status
   counts[key] = (counts[key] or 0) + 1
   local problem
   if kind == "other" then
      problem = "unexpected response " .. status .. ": " .. body:sub(1, 200)
   else
      problem = check(kind, status, headers, body)
   end
   if problem then
      bad[kind] = (bad[kind] or 0) + 1
      if why[kind] == nil then why[kind] = problem end
   end
end

function done(summary, latency, requests)
   local total, nbad, first = {}, {}, {}
   for _, t in ipairs(threads) do
      for k, v in pairs(t:get("counts") or {}) do total[k] = (total[k] or 0) + v end
      for k, v in pairs(t:get("bad") or {}) do nbad[k] = (nbad[k] or 0) + v end
      for k, v in pairs(t:get("why") or {}) do if first[k] == nil then first[k] = v end end
   end
   for k, v in pairs(total) do
      io.write(string.format("LOAD count %s %d\n", k, v))
   end
   for k, v in pairs(nbad) do
      io.write(string.format("LOAD bad %s %d %s\n", k, v, (first[k] or ""):gsub("[\r\n]", " ")))
   end
   local e = summary.errors
   io.write(string.format("LOAD requests %d\n", summary.requests))
   io.write(string.format("LOAD duration_us %d\n", summary.duration))
   io.write(string.format("LOAD bytes %d\n", summary.bytes))
   io.write(string.format("LOAD errors connect=%d read=%d write=%d status=%d timeout=%d\n",
      e.connect, e.read, e.write, e.status, e.timeout))
   for _, p in ipairs({ 50, 90, 99, 99.9 }) do
      io.write(string.format("LOAD latency_us p%g %d\n", p, latency:percentile(p)))
   end
   io.write(string.format("LOAD latency_us mean %d\n", latency.mean))
   io.write(string.format("LOAD latency_us max %d\n", latency.max))
end
