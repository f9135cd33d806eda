"""How routeros-lb writes things on a RouterOS router, shared by the pure core (`balancer/`) and the
providers: plain functions, no Pulumi, no sockets."""
