--[[
  Reads a fixed-window counter without counting: what windowHit-1 has counted so far.

  KEYS[1] the counter (string: hits so far, PX window)

  Reply: {hits in the current window (0 when none), ms until the window ends (0 when none)}
]]
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  ttl = 0
end
return {hits, ttl}
