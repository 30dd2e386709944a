--[[
  Counts one hit in a fixed window: the first hit starts the window, later hits only count.
  A counter that somehow lost its expiry gets one again, so no window lasts forever.

  KEYS[1] the counter (string: hits so far, PX window)
  ARGV[1] window length in ms

  Reply: {hits in the window including this one, ms until the window ends}
]]
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if hits == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}
