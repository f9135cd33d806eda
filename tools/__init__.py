"""Operator tools: read a stack and a router, need no Pulumi engine, and never load the simulator
(`lab/` holds the tools that drive one)."""
