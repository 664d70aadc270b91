/**
 * Lua for the companies' lines (see fair-lines.ts). Each runs atomically in Redis, so two API
 * instances or workers never hand out the same job or lose a company from the ring.
 */

/** 2^40: a line's score is `(100 - priority) · 2^40 + seq`, exact in Lua's doubles. */
export const priorityStride = 1_099_511_627_776;

// KEYS: line, ring, ring members, entries, seq, caps.
// ARGV: id, priority, entry JSON, companyId, cap ("" = none, "keep" = as it is).
// ZADD NX: adding a job already in its line keeps its place.
export const addScript = `
local seq = redis.call('INCR', KEYS[5])
local added = redis.call('ZADD', KEYS[1], 'NX', (100 - tonumber(ARGV[2])) * ${priorityStride} + seq, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
if redis.call('SADD', KEYS[3], ARGV[4]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[4]) end
if ARGV[5] == '' then redis.call('HDEL', KEYS[6], ARGV[4])
elseif ARGV[5] ~= 'keep' then redis.call('HSET', KEYS[6], ARGV[4], ARGV[5]) end
return added
`;

// KEYS: ring, ring members, entries, caps, weights, slots, BullMQ wait list, BullMQ prioritized,
// in transit, companies with an in-flight set. ARGV: line key prefix, in-flight key prefix, now (ms).
// Jobs handed out but not yet added to BullMQ count as ready ("in transit", until `landed` or for
// 10 s), so dispatchers running at once do not each fill the window.
// Moves jobs out of the companies' lines, one company's turn after another, while the job type's
// BullMQ queue holds fewer ready jobs than half the slots of its workers. A company at its running cap is
// skipped (its turn passes); an empty line leaves the ring. Returns id, entry JSON pairs.
export const dispatchScript = `
local window = 0
local slots = redis.call('HGETALL', KEYS[6])
for i = 1, #slots, 2 do
  local count, expires = string.match(slots[i + 1], '^(%d+)|(%d+)$')
  if count and tonumber(expires) > tonumber(ARGV[3]) then
    window = window + tonumber(count)
  else
    redis.call('HDEL', KEYS[6], slots[i])
  end
end
-- About one ready job per two slots: enough that a slot rarely waits for the next dispatch (each
-- attempt start dispatches), few enough that a newcomer's job starts within about one job's time.
window = math.max(1, math.ceil(window / 2))
redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', tonumber(ARGV[3]) - 10000)
local room = window - redis.call('LLEN', KEYS[7]) - redis.call('ZCARD', KEYS[8]) - redis.call('ZCARD', KEYS[9])
local out = {}
local companies = redis.call('LLEN', KEYS[1])
local passed = 0
while room > 0 and companies > 0 and passed < companies do
  local company = redis.call('LMOVE', KEYS[1], KEYS[1], 'LEFT', 'RIGHT')
  local line = ARGV[1] .. company
  local inflight = ARGV[2] .. company
  local cap = tonumber(redis.call('HGET', KEYS[4], company))
  local turn = tonumber(redis.call('HGET', KEYS[5], company)) or 1
  if redis.call('ZCARD', line) == 0 then
    redis.call('LREM', KEYS[1], 0, company)
    redis.call('SREM', KEYS[2], company)
    companies = companies - 1
  elseif cap and redis.call('SCARD', inflight) >= cap then
    passed = passed + 1
  else
    while turn > 0 and room > 0 do
      if cap and redis.call('SCARD', inflight) >= cap then break end
      local popped = redis.call('ZPOPMIN', line)
      if #popped == 0 then break end
      local id = popped[1]
      redis.call('SADD', inflight, id)
      redis.call('SADD', KEYS[10], company)
      redis.call('ZADD', KEYS[9], ARGV[3], id)
      out[#out + 1] = id
      out[#out + 1] = redis.call('HGET', KEYS[3], id) or ''
      redis.call('HDEL', KEYS[3], id)
      room = room - 1
      turn = turn - 1
    end
    passed = 0
  end
end
return out
`;

// KEYS: line, entries. ARGV: id. Takes a job out of its line (a cancel); 1 when it was there.
export const removeScript = `
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])
`;

// KEYS: companies with an in-flight set. ARGV: in-flight key prefix. Returns {company, {ids}} pairs
// and forgets the companies whose set emptied (in the script, so a dispatch cannot race it).
export const inflightScript = `
local out = {}
for _, company in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local ids = redis.call('SMEMBERS', ARGV[1] .. company)
  if #ids == 0 then
    redis.call('SREM', KEYS[1], company)
  else
    out[#out + 1] = {company, ids}
  end
end
return out
`;
