--[[
  Extends a job's lease, but only while this runner still holds it and the job is still listed
  as running. A runner that stalled past its lease may find its job already failed as
  runner_lost by another runner's sweep (and the next prompt started): it must not bring the
  lease back, it must stop its CLI instead.

  KEYS[1] the job's lease (string: holder's runner id, PX ttl)
  KEYS[2] running jobs (zset: "<sessionId> <jobId>" -> start time)
  ARGV[1] this runner's id
  ARGV[2] the job's member in the running set
  ARGV[3] lease length in ms

  Reply: 1 when extended, 0 when the lease lapsed or is someone else's, or the job is no longer running
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if not redis.call('ZSCORE', KEYS[2], ARGV[2]) then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
