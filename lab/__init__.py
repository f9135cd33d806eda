"""Tools that drive a simulated router (the demo, simulate): for trying the load balancer out, not
for operating one. They may use the operator tools (`tools/`); those never use this package."""
