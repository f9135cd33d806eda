"""Pulumi's dynamic provider host (`python -u -m pulumi.dynamic`) as a subprocess, over gRPC.

This stands in for what the Pulumi CLI does with `pulumi-resource-pulumi-python`: start the host in
the project root, read its port from the first line of stdout, send `Configure` with the stack
config (secrets included, as `pulumi config set --secret` delivers them), then resource calls whose
properties are made by `pulumi.runtime.rpc.serialize_properties`. Everything the host prints is
kept (`stdout`, `stderr`) so tests can search it.

It knows gRPC and Pulumi's wire forms, and nothing of RouterOS or of step semantics (driver.py).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROJECT = "routeros-lb"
CALL_TIMEOUT = 60.0


class ProviderCallError(Exception):
    """A call the host answered with an error; `details` is the provider's traceback text."""

    def __init__(self, method: str, urn: str, details: str) -> None:
        super().__init__(f"{method} {urn} failed:\n{details}")
        self.method = method
        self.urn = urn
        self.details = details


@dataclass
class CheckOutcome:
    inputs: dict[str, Any]
    failures: list[tuple[str, str]]


@dataclass
class DiffOutcome:
    changes: bool
    replaces: list[str] = field(default_factory=list)
    delete_before_replace: bool = False


def serialize(props: dict[str, Any]) -> struct_pb2.Struct:
    """Properties in their wire form, as the engine and the SDK make them."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()


def deserialize(struct: struct_pb2.Struct) -> dict[str, Any]:
    """Wire properties back to plain values, secrets unwrapped (the state dict holds plain data)."""
    props = rpc.deserialize_properties(struct, keep_unknowns=True)
    return {key: rpc.unwrap_rpc_secret(value) for key, value in props.items()}


def _secret(value: str) -> dict[str, str]:
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


class ProviderHost:
    """One running dynamic provider host. Use as a context manager, or `start()` / `stop()`."""

    def __init__(
        self,
        config: dict[str, str] | None = None,
        secret_keys: frozenset[str] = frozenset({"routeros:password"}),
        env: dict[str, str] | None = None,
        cwd: Path = PROJECT_ROOT,
    ) -> None:
        self.config = dict(config or {})
        self.secret_keys = secret_keys
        self.env = env
        self.cwd = cwd
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: provider_pb2_grpc.ResourceProviderStub | None = None
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._readers: list[threading.Thread] = []

    # -- lifetime ----------------------------------------------------------------------------

    def start(self) -> ProviderHost:
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("PULUMI_PROJECT", PROJECT)
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        assert self._process.stdout is not None
        assert self._process.stderr is not None
        first = self._process.stdout.readline()
        if not first.strip().isdigit():
            self.stop()
            raise RuntimeError(f"provider host did not print its port: {first!r}\n{self.stderr}")
        self._out.append(first)
        self.port = int(first)
        self._drain(self._process.stdout, self._out)
        self._drain(self._process.stderr, self._err)
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self._channel).result(timeout=30)
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        self.configure()
        return self

    def stop(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        for reader in self._readers:
            reader.join(timeout=5)
        self._readers.clear()

    def __enter__(self) -> ProviderHost:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def stdout(self) -> str:
        return b"".join(self._out).decode(errors="replace")

    @property
    def stderr(self) -> str:
        return b"".join(self._err).decode(errors="replace")

    def _drain(self, pipe: IO[bytes], into: list[bytes]) -> None:
        def read() -> None:
            for chunk in iter(lambda: pipe.read1(4096), b""):  # type: ignore[attr-defined]
                into.append(chunk)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        self._readers.append(reader)

    # -- the calls ----------------------------------------------------------------------------

    @property
    def stub(self) -> provider_pb2_grpc.ResourceProviderStub:
        if self._stub is None:
            raise RuntimeError("provider host not started")
        return self._stub

    def _call(self, method: str, urn: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=CALL_TIMEOUT)
        except grpc.RpcError as exc:
            raise ProviderCallError(method, urn, exc.details() or str(exc.code())) from None

    def configure(self) -> None:
        """What the engine sends first: every stack config key, secrets marked as such."""
        args = {k: _secret(v) if k in self.secret_keys else v for k, v in self.config.items()}
        request = provider_pb2.ConfigureRequest(
            variables=self.config, args=serialize(args),
            acceptSecrets=True, acceptResources=True,
        )
        self._call("Configure", "", request)

    def check(self, urn: str, olds: dict[str, Any], news: dict[str, Any]) -> CheckOutcome:
        response = self._call("Check", urn, provider_pb2.CheckRequest(
            urn=urn, olds=serialize(olds), news=serialize(news)))
        return CheckOutcome(deserialize(response.inputs),
                            [(f.property, f.reason) for f in response.failures])

    def diff(self, urn: str, id_: str, old_outputs: dict[str, Any], news: dict[str, Any],
             old_inputs: dict[str, Any]) -> DiffOutcome:
        response = self._call("Diff", urn, provider_pb2.DiffRequest(
            id=id_, urn=urn, olds=serialize(old_outputs), news=serialize(news),
            old_inputs=serialize(old_inputs)))
        if response.changes == provider_pb2.DiffResponse.DIFF_UNKNOWN:
            # The engine would diff inputs itself; our providers must never leave it to that.
            raise ProviderCallError("Diff", urn, "provider answered DIFF_UNKNOWN")
        return DiffOutcome(response.changes == provider_pb2.DiffResponse.DIFF_SOME,
                           list(response.replaces), response.deleteBeforeReplace)

    def create(self, urn: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._call("Create", urn, provider_pb2.CreateRequest(
            urn=urn, properties=serialize(inputs)))
        return response.id, deserialize(response.properties)

    def update(self, urn: str, id_: str, old_outputs: dict[str, Any], news: dict[str, Any],
               old_inputs: dict[str, Any]) -> dict[str, Any]:
        response = self._call("Update", urn, provider_pb2.UpdateRequest(
            id=id_, urn=urn, olds=serialize(old_outputs), news=serialize(news),
            old_inputs=serialize(old_inputs)))
        return deserialize(response.properties)

    def read(self, urn: str, id_: str, outputs: dict[str, Any], inputs: dict[str, Any]
             ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        """(id, outputs, inputs or None); an empty id means the object is gone."""
        response = self._call("Read", urn, provider_pb2.ReadRequest(
            id=id_, urn=urn, properties=serialize(outputs), inputs=serialize(inputs)))
        new_inputs = deserialize(response.inputs) if response.HasField("inputs") else None
        return response.id, deserialize(response.properties), new_inputs

    def delete(self, urn: str, id_: str, outputs: dict[str, Any], inputs: dict[str, Any]) -> None:
        self._call("Delete", urn, provider_pb2.DeleteRequest(
            id=id_, urn=urn, properties=serialize(outputs), old_inputs=serialize(inputs)))
