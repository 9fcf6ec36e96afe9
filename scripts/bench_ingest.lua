-- wrk script for scripts/bench_ingest.sh: each request is a DCSA Track &
-- Trace array of BENCH_BATCH EQUIPMENT events whose eventIDs were never
-- sent before (thread, round and counter in the id), so every event takes
-- the whole path: parse, dedupe miss, store.
local batch = tonumber(os.getenv("BENCH_BATCH") or "100")
local round = tonumber(os.getenv("BENCH_ROUND") or "0")
local threads = 0
local tid, counter

function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end

function init(args)
    counter = 0
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
end

local tmpl = '{"eventID":"%08x-%04x-4%03x-8000-%012x","eventCreatedDateTime":"2026-11-01T00:00:00Z",' ..
    '"eventType":"EQUIPMENT","eventClassifierCode":"ACT","eventDateTime":"2026-11-01T10:%02d:00+08:00",' ..
    '"equipmentEventTypeCode":"LOAD","equipmentReference":"CSQU3054383","emptyIndicatorCode":"LADEN",' ..
    '"eventLocation":{"UNLocationCode":"CNCLJ"},"transportCall":{"transportCallID":"tc1",' ..
    '"UNLocationCode":"CNCLJ","modeOfTransport":"BARGE","carrierServiceCode":"YY1",' ..
    '"exportVoyageNumber":"V01E","importVoyageNumber":"V01E","transportCallSequenceNumber":1,' ..
    '"facilityTypeCode":"POTE"},"documentReferences":[{"documentReferenceType":"TRD",' ..
    '"documentReferenceValue":"DTBL%06d"}]}'

function request()
    local parts = {}
    for i = 1, batch do
        counter = counter + 1
        parts[i] = string.format(tmpl, tid or 0, round, 0, counter, counter % 60, counter % 1000)
    end
    return wrk.format(nil, nil, nil, "[" .. table.concat(parts, ",") .. "]")
end
