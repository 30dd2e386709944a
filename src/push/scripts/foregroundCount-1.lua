-- How many live streams of a session are in the foreground now, by Redis's clock.
-- KEYS[1]  the session's foreground set (member: stream id, score: expiry in ms)
-- Reply: the number of marks that have not lapsed
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
