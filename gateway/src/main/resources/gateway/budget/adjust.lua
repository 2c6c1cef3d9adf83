-- Charges ARGV[2] more tokens (fewer when negative) to a tenant's token bucket once its
-- answer's usage is known. KEYS[1]: the tenant's hash; ARGV: tpm, tokens.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tpm = tonumber(ARGV[1])
local s = redis.call('HMGET', KEYS[1], 'tl', 'tt')
local l = tpm
if s[1] then
  l = tonumber(s[1]) + (now - tonumber(s[2])) * tpm / 60000
  if l > tpm then l = tpm end
end
l = l - tonumber(ARGV[2])
if l > tpm then l = tpm end
redis.call('HSET', KEYS[1], 'tl', tostring(l), 'tt', now)
redis.call('PEXPIRE', KEYS[1], 120000)
return 1
