--[[
  Marks a session as "may have a prompt to start". Every nudge gets a fresh, increasing score,
  so a runner that looked at the session before this nudge cannot settle it away (settle.lua).

  KEYS[1] ready set (zset: session id -> nudge number)
  KEYS[2] nudge counter (string)
  ARGV[1] session id

  Reply: the nudge number
]]
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], n, ARGV[1])
return n
