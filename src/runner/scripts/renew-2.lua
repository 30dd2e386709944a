--[[
  Extends a job's lease while this runner holds it and the job is still listed as running. A
  lease that lapsed while nobody else took it (Redis was unreachable for longer than the lease,
  say) is taken back: the job is alive and still listed. A lease someone else holds (a sweep
  marked it, or another runner) is never touched: the job was failed elsewhere, and this
  runner must stop its CLI instead.

  KEYS[1] the job's lease (string: holder's runner id, PX ttl)
  KEYS[2] running jobs (zset: "<sessionId> <jobId>" -> start time)
  ARGV[1] this runner's id
  ARGV[2] the job's member in the running set
  ARGV[3] lease length in ms

  Reply: 1 when extended, 2 when taken back after it lapsed, 0 when someone else holds it or the
  job is no longer running
]]
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
if not redis.call('ZSCORE', KEYS[2], ARGV[2]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
if holder then
  return 1
end
return 2
