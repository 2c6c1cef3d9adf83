-- Takes a place for one more open stream. KEYS[1]: the tenant's sorted set of streams, scored
-- by when their lease ends; ARGV: max streams, stream id, lease in ms. A lease outlives any
-- stream the gateway lets run, so a replica that dies holding places frees them in time.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
