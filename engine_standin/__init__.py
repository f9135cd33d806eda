"""A stand-in for the Pulumi engine, for machines without the Pulumi CLI.

`capture` runs a Pulumi program under Pulumi's mocks and records what it declares; `driver` applies
those declarations with the engine's step semantics (check, diff, create, update, replace, delete,
refresh) through `host`, Pulumi's real dynamic-provider host (`python -m pulumi.dynamic`) over gRPC.
The lifecycle tests use it as the engine (docs/architecture.md, Testing), and `make demo` uses it
when `pulumi` is not on PATH. It is not the engine: of the resource options it knows only
delete-before-replace.
"""
