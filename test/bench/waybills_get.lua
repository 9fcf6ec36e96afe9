-- wrk script for scripts/bench_waybills.sh: GET /v1/waybills/NUMBER for a
-- waybill drawn at random from the BENCH_WAYBILLS the script created
-- (numbers BENCH_PREFIX followed by six digits, 1 to BENCH_WAYBILLS), so
-- the reads spread over the whole set as a tracking page's would.
local count = tonumber(os.getenv("BENCH_WAYBILLS") or "1000")
local prefix = os.getenv("BENCH_PREFIX") or "DTWB"
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end

function init(args)
    math.randomseed(os.time() * 100 + (tid or 0))
end

function request()
    return wrk.format("GET", string.format("/v1/waybills/%s%06d", prefix, math.random(count)))
end
