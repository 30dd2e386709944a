--[[
  Appends events to one session atomically: the session stream, the partition log, the
  session head and the idempotency record are written together or not at all.

  KEYS[1] session head (hash: version, hash)
  KEYS[2] session stream (entry ids are 0-<version>)
  KEYS[3] partition log
  KEYS[4] idempotency record (string; only used when ARGV[3] == "1")

  ARGV[1] expected version (the version the caller folded)
  ARGV[2] expected prevHash (the hash of that version's event, or the genesis hash)
  ARGV[3] "1" to check and record the idempotency key, else "0"
  ARGV[4] idempotency record time to live, seconds
  ARGV[5] session id
  ARGV[6] hash of the last new event (the new head)
  ARGV[7] number of events n
  ARGV[8 ..] n triples: type, canonical JSON of the envelope without its hash, hash

  Reply:
    {"ok", lastVersion, lastHash, partitionEntryId1, ..., partitionEntryIdN}
    {"dup", recordedReply}         the key was seen: the first reply, nothing written
    {"conflict", currentVersion}   expected version is stale
    {"chain", currentHash}         expected prevHash is not the head's hash
]]
if ARGV[3] == "1" then
  local prior = redis.call("GET", KEYS[4])
  if prior then return {"dup", prior} end
end

local head = redis.call("HMGET", KEYS[1], "version", "hash")
local current = tonumber(head[1] or "0")
if current ~= tonumber(ARGV[1]) then return {"conflict", tostring(current)} end
local currentHash = head[2] or string.rep("0", 64)
if currentHash ~= ARGV[2] then return {"chain", currentHash} end

local n = tonumber(ARGV[7])
local reply = {"ok", tostring(current + n), ARGV[6]}
for i = 1, n do
  local version = current + i
  local base = 5 + i * 3
  local kind, json, hash = ARGV[base], ARGV[base + 1], ARGV[base + 2]
  redis.call("XADD", KEYS[2], "0-" .. version, "t", kind, "e", json, "h", hash)
  reply[#reply + 1] = redis.call("XADD", KEYS[3], "*", "s", ARGV[5], "v", version, "e", json, "h", hash)
end
redis.call("HSET", KEYS[1], "version", current + n, "hash", ARGV[6])

if ARGV[3] == "1" then
  redis.call("SET", KEYS[4], table.concat(reply, " ", 2), "EX", tonumber(ARGV[4]))
end
return reply
