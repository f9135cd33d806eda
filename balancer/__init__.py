"""The load balancer's pure core: service specs, slots and failover groups, generated scripts,
and `plan(site, version)`. Imports neither Pulumi nor sockets (docs/architecture.md)."""
