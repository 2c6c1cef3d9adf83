-- Takes one request and ARGV[3] tokens from a tenant's buckets when both fit, atomically for
-- every gateway replica. KEYS[1]: the tenant's hash; ARGV: rpm, tpm (0: no limit), tokens.
-- Time is Redis's own, so replicas' clocks need not agree.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[1], 'rl', 'rt', 'tl', 'tt')

local function level(stored, at, cap)
  if cap <= 0 then return 0 end
  if not stored then return cap end
  local l = tonumber(stored) + (now - tonumber(at)) * cap / 60000
  if l > cap then l = cap end
  return l
end

local function reset(l, cap)
  if cap <= 0 then return 0 end
  return math.ceil((cap - l) * 60000 / cap)
end

local rl = level(s[1], s[2], rpm)
local tl = level(s[3], s[4], tpm)
local denied = ''
local wait = 0
if rpm > 0 and rl < 1 then
  denied = 'requests'
  wait = (1 - rl) * 60000 / rpm
elseif tpm > 0 and tl < cost then
  denied = 'tokens'
  wait = (cost - tl) * 60000 / tpm
end
if denied == '' then
  if rpm > 0 then rl = rl - 1 end
  if tpm > 0 then tl = tl - cost end
end
redis.call('HSET', KEYS[1], 'rl', tostring(rl), 'rt', now, 'tl', tostring(tl), 'tt', now)
-- A bucket untouched for two minutes is full again: its key can go.
redis.call('PEXPIRE', KEYS[1], 120000)
return {denied, math.floor(math.max(rl, 0)), reset(rl, rpm), math.floor(math.max(tl, 0)), reset(tl, tpm), math.ceil(wait)}
