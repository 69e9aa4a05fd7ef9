# A client agent, in Consul's HCL syntax (the same keys as client.json). A client holds no
# replicated state: it runs local services and checks and forwards requests to the servers.
# Copy to /etc/tribune.d/ and change the addresses and the node name. HCL files are read by
# Tribune versions whose -config-dir loads *.hcl (see docs/configuration.md); until then use
# client.json, which says the same.

node_name  = "client-1"
datacenter = "dc1"
# Local service and check definitions, and the agent's identity, live here.
data_dir = "/var/lib/tribune"

# Gossip address of this host, reachable by every other agent.
bind_addr = "10.0.0.10"
# The APIs the local applications talk to: loopback only.
client_addr = "127.0.0.1"

# Any server (or any other agent) to join through; retried until one answers.
retry_join = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]

log_level = "info"
