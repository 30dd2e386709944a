-- Marks one live stream of a session as in the foreground until now + ttl, by Redis's clock
-- (so no api host's clock decides it), and drops marks that lapsed.
-- KEYS[1]  the session's foreground set (member: stream id, score: expiry in ms)
-- ARGV[1]  the stream's id
-- ARGV[2]  time to live in ms
-- Reply: 1
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
