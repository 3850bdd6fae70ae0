-- Scenario "mixed": requests of different costs through /api/v1/work, in a fixed pseudo-random order:
-- 70 % cheap, 20 % wait 10 ms on the worker (no CPU), 10 % burn 1 ms of worker CPU.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local cheap, waiting, busy

math.randomseed(42)

function request()
	-- Formatted on first use: wrk adds the Host header to wrk.headers only after loading the script.
	if not cheap then
		cheap = wrk.format("GET", "/api/v1/work")
		waiting = wrk.format("GET", "/api/v1/work?sleepMs=10")
		busy = wrk.format("GET", "/api/v1/work?cpuMs=1")
	end
	local r = math.random(100)
	if r <= 70 then
		return cheap
	elseif r <= 90 then
		return waiting
	end
	return busy
end
