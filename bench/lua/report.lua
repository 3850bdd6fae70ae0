-- Prints one JSON line with what wrk measured. wrk's latency histogram is corrected for coordinated omission
-- (stats_correct() in wrk.c) before done() sees it: these are not per-request percentiles.
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
			.. '"errors":%d,"status_errors":%d}\n',
		summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
