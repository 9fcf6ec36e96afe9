-- wrk script for scripts/bench_ingest.sh: each request is a DCSA Track &
-- Trace array of BENCH_BATCH EQUIPMENT events whose eventIDs were never
-- sent before (thread, round and counter in the id), so every event takes
-- the whole path: parse, dedupe miss, store.  The subjects are spread as a
-- port's are: 2000 containers (valid ISO 6346 check digits), a bill of
-- lading per 10 events, a voyage per 100.
local batch = tonumber(os.getenv("BENCH_BATCH") or "100")
local round = tonumber(os.getenv("BENCH_ROUND") or "0")
local threads = 0
local counter   -- tid is a global set by setup() through thread:set

function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end

function init(args)
    counter = 0
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
end

-- ISO 6346: letter values skip multiples of 11; check = sum(v * 2^i) mod 11 mod 10.
local function container(n)
    local owner = "DTBU"
    local digits = string.format("%06d", n % 1000000)
    local s, sum = owner .. digits, 0
    for i = 1, 10 do
        local c = s:byte(i)
        local v
        if c >= 65 then
            v = 10
            for _ = 66, c do v = v + 1; if v % 11 == 0 then v = v + 1 end end
        else
            v = c - 48
        end
        sum = sum + v * 2 ^ (i - 1)
    end
    return s .. tostring(math.floor(sum % 11) % 10)
end

local containers = {}
for i = 1, 2000 do containers[i] = container(i) end

local tmpl = '{"eventID":"%08x-%04x-4%03x-8000-%012x","eventCreatedDateTime":"2026-11-01T00:00:00Z",' ..
    '"eventType":"EQUIPMENT","eventClassifierCode":"ACT","eventDateTime":"2026-11-01T10:%02d:00+08:00",' ..
    '"equipmentEventTypeCode":"LOAD","equipmentReference":"%s","emptyIndicatorCode":"LADEN",' ..
    '"eventLocation":{"UNLocationCode":"CNCLJ"},"transportCall":{"transportCallID":"tc1",' ..
    '"UNLocationCode":"CNCLJ","modeOfTransport":"BARGE","carrierServiceCode":"YY1",' ..
    '"exportVoyageNumber":"V%05d","importVoyageNumber":"V%05d","transportCallSequenceNumber":1,' ..
    '"facilityTypeCode":"POTE"},"documentReferences":[{"documentReferenceType":"TRD",' ..
    '"documentReferenceValue":"DTBL%06d"}]}'

function request()
    local parts = {}
    for i = 1, batch do
        counter = counter + 1
        local voyage = math.floor(counter / 100)
        parts[i] = string.format(tmpl, tid or 0, round, 0, counter, counter % 60,
                                 containers[counter % 2000 + 1], voyage, voyage,
                                 math.floor(counter / 10) % 1000000)
    end
    return wrk.format(nil, nil, nil, "[" .. table.concat(parts, ",") .. "]")
end
