# A server agent of a three-server datacenter, in Consul's HCL syntax (the same keys as server.json).
# Copy to /etc/tribune.d/ and change the addresses and the node name. HCL files are read by
# Tribune versions whose -config-dir loads *.hcl (see docs/configuration.md); until then use
# server.json, which says the same.

# This agent is a server: it holds the replicated state (KV, catalog, sessions) and votes in Raft.
server = true
# Wait for three servers before the first election, so that a fresh cluster starts with all three.
bootstrap_expect = 3

# Unique in the datacenter; defaults to the host name.
node_name  = "server-1"
datacenter = "dc1"
# Raft log, snapshots and the RocksDB state live here; keep it on a local disk.
data_dir = "/var/lib/tribune"

# Gossip and server-to-server traffic: the address the other agents reach this one on.
bind_addr = "10.0.0.1"
# HTTP, DNS and gRPC APIs: loopback only, as Consul's default.
client_addr = "127.0.0.1"

# The other servers; retried until one answers.
retry_join = ["10.0.0.2", "10.0.0.3"]

log_level = "info"

# Consul's default ports.
ports {
  http     = 8500
  dns      = 8600
  grpc     = 8502
  server   = 8300
  serf_lan = 8301
  serf_wan = 8302
}
