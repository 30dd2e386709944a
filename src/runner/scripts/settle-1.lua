--[[
  Removes a session from the ready set, but only if nobody nudged it since the caller read it:
  a prompt enqueued meanwhile is never lost.

  KEYS[1] ready set (zset: session id -> nudge number)
  ARGV[1] session id
  ARGV[2] the nudge number the caller saw

  Reply: 1 when removed, 0 when it was nudged again (or already gone)
]]
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
