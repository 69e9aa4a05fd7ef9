-- wrk script: PUT a 128-byte value to distinct keys (one counter per connection thread).
local counter = 0
local body = string.rep("x", 128)
request = function()
  counter = counter + 1
  return wrk.format("PUT", "/v1/kv/bench/" .. tostring(math.random(1, 1000000000)) .. "-" .. counter, nil, body)
end
