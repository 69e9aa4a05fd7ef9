-- wrk script: etcd v3 JSON gateway range read of one key (bench/cluster.sh). Linearizable by
-- default; set the environment variable ETCD_SERIALIZABLE=1 for a serializable (local, "stale") read.
-- The key is "bench/get", base64-encoded as the gateway requires.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local serializable = os.getenv("ETCD_SERIALIZABLE") == "1"
wrk.body = '{"key":"YmVuY2gvZ2V0"' .. (serializable and ',"serializable":true' or '') .. '}'
