"""The RouterOS resources a Pulumi program declares: one class per menu, typed inputs.

Each class is a `pulumi.dynamic.Resource` served by `MenuItemProvider(<menu key>)`. Type tokens
(`pulumi-python:dynamic/routeros:<Class>`), this module's path and the class names are a stable
interface recorded in state: see docs/providers.md before renaming anything.

Inputs use Python spelling (`dst_port`, `to_addresses`, `from_` for RouterOS `from`); every
input is optional except the ones RouterOS requires. `router` takes the `RouterSettings` fields
(host, port, tls, verify_tls, ca_file, username, timeout) — never a password.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from providers.connection import RouterSettings
from providers.dynamic_resource import RouterResource
from providers.menu_item import MenuItemProvider, default_tag

RouterInput = RouterSettings | Mapping[str, pulumi.Input[Any]]
Str = pulumi.Input[str] | None
Bool = pulumi.Input[bool] | None


def _router(router: RouterInput) -> Any:
    return router.as_inputs() if isinstance(router, RouterSettings) else dict(router)


# Parameters of a resource's __init__ that are not RouterOS properties. `__class__` is there too:
# zero-argument super() puts it among the locals.
_NOT_PROPERTIES = frozenset({"self", "resource_name", "router", "opts", "__class__"})


def _arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A resource's properties, from `locals()` taken as the first statement of its __init__
    (so the typed keyword signature is the one list of them)."""
    return {k: v for k, v in arguments.items() if k not in _NOT_PROPERTIES}


def _tagged(arguments: dict[str, Any], kind: str, resource_name: str) -> dict[str, Any]:
    """`arguments` with the default ownership tag when none is declared: every rule and probe
    we create carries one (adoption after a crashed create, the check before `set`/`remove`,
    following the object after a reboot). Derived from the stack's Pulumi identity, fixed:
    see `routeros_vocabulary.tags.default_tag` and docs/providers.md."""
    if arguments.get("ownership_tag") is None:
        arguments["ownership_tag"] = default_tag(
            pulumi.get_project(), pulumi.get_stack(), kind, resource_name)
    return arguments


def _props(router: RouterInput, values: Mapping[str, Any], outputs: Sequence[str]) -> dict:
    # Unset inputs stay as None so that every property is readable as an output.
    props = dict(values)
    props["router"] = _router(router)
    for name in outputs:
        props.setdefault(name, None)  # declared so the output is readable on the resource
    return props


class MangleRule(RouterResource, module="routeros", name="MangleRule"):
    """A rule in /ip/firewall/mangle (marks connections, packets and routes; PCC lives here)."""

    chain: pulumi.Output[Any]
    action: pulumi.Output[Any]
    new_connection_mark: pulumi.Output[Any]
    new_packet_mark: pulumi.Output[Any]
    new_routing_mark: pulumi.Output[Any]
    passthrough: pulumi.Output[Any]
    jump_target: pulumi.Output[Any]
    per_connection_classifier: pulumi.Output[Any]
    routing_mark: pulumi.Output[Any]
    src_address: pulumi.Output[Any]
    dst_address: pulumi.Output[Any]
    src_port: pulumi.Output[Any]
    dst_port: pulumi.Output[Any]
    protocol: pulumi.Output[Any]
    in_interface: pulumi.Output[Any]
    out_interface: pulumi.Output[Any]
    connection_mark: pulumi.Output[Any]
    connection_state: pulumi.Output[Any]
    dst_address_type: pulumi.Output[Any]
    packet_mark: pulumi.Output[Any]
    in_interface_list: pulumi.Output[Any]
    out_interface_list: pulumi.Output[Any]
    src_address_list: pulumi.Output[Any]
    dst_address_list: pulumi.Output[Any]
    src_address_type: pulumi.Output[Any]
    connection_nat_state: pulumi.Output[Any]
    comment: pulumi.Output[Any]
    disabled: pulumi.Output[Any]
    log: pulumi.Output[Any]
    log_prefix: pulumi.Output[Any]
    router_version: pulumi.Output[Any]
    ownership_tag: pulumi.Output[Any]

    def __init__(
        self,
        resource_name: str,
        *,
        router: RouterInput,
        chain: pulumi.Input[str],
        action: Str = None,
        new_connection_mark: Str = None,
        new_packet_mark: Str = None,
        new_routing_mark: Str = None,
        passthrough: Bool = None,
        jump_target: Str = None,
        per_connection_classifier: Str = None,
        routing_mark: Str = None,
        src_address: Str = None,
        dst_address: Str = None,
        src_port: Str = None,
        dst_port: Str = None,
        protocol: Str = None,
        in_interface: Str = None,
        out_interface: Str = None,
        connection_mark: Str = None,
        connection_state: Str = None,
        dst_address_type: Str = None,
        packet_mark: Str = None,
        in_interface_list: Str = None,
        out_interface_list: Str = None,
        src_address_list: Str = None,
        dst_address_list: Str = None,
        src_address_type: Str = None,
        connection_nat_state: Str = None,
        comment: Str = None,
        disabled: Bool = None,
        log: Bool = None,
        log_prefix: Str = None,
        ownership_tag: Str = None,
        runtime_owned: Sequence[str] | None = None,
        place_before: Str = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = _tagged(_arguments(locals()), "MangleRule", resource_name)
        super().__init__(
            MenuItemProvider("mangle"),
            resource_name,
            _props(router, arguments, ["router_version"]),
            opts,
        )


class NatRule(RouterResource, module="routeros", name="NatRule"):
    """A rule in /ip/firewall/nat. Declare `runtime_owned=["disabled"]` on failover rules:
    the router's scripts own that flag after create."""

    chain: pulumi.Output[Any]
    action: pulumi.Output[Any]
    to_addresses: pulumi.Output[Any]
    to_ports: pulumi.Output[Any]
    jump_target: pulumi.Output[Any]
    src_address: pulumi.Output[Any]
    dst_address: pulumi.Output[Any]
    src_port: pulumi.Output[Any]
    dst_port: pulumi.Output[Any]
    protocol: pulumi.Output[Any]
    in_interface: pulumi.Output[Any]
    out_interface: pulumi.Output[Any]
    connection_mark: pulumi.Output[Any]
    dst_address_type: pulumi.Output[Any]
    packet_mark: pulumi.Output[Any]
    in_interface_list: pulumi.Output[Any]
    out_interface_list: pulumi.Output[Any]
    src_address_list: pulumi.Output[Any]
    dst_address_list: pulumi.Output[Any]
    src_address_type: pulumi.Output[Any]
    comment: pulumi.Output[Any]
    disabled: pulumi.Output[Any]
    log: pulumi.Output[Any]
    log_prefix: pulumi.Output[Any]
    router_version: pulumi.Output[Any]
    ownership_tag: pulumi.Output[Any]

    def __init__(
        self,
        resource_name: str,
        *,
        router: RouterInput,
        chain: pulumi.Input[str],
        action: Str = None,
        to_addresses: Str = None,
        to_ports: Str = None,
        jump_target: Str = None,
        src_address: Str = None,
        dst_address: Str = None,
        src_port: Str = None,
        dst_port: Str = None,
        protocol: Str = None,
        in_interface: Str = None,
        out_interface: Str = None,
        connection_mark: Str = None,
        dst_address_type: Str = None,
        packet_mark: Str = None,
        in_interface_list: Str = None,
        out_interface_list: Str = None,
        src_address_list: Str = None,
        dst_address_list: Str = None,
        src_address_type: Str = None,
        comment: Str = None,
        disabled: Bool = None,
        log: Bool = None,
        log_prefix: Str = None,
        ownership_tag: Str = None,
        runtime_owned: Sequence[str] | None = None,
        place_before: Str = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = _tagged(_arguments(locals()), "NatRule", resource_name)
        super().__init__(
            MenuItemProvider("nat"),
            resource_name,
            _props(router, arguments, ["router_version"]),
            opts,
        )


class Script(RouterResource, module="routeros", name="Script"):
    """A script in /system/script."""

    name: pulumi.Output[Any]
    source: pulumi.Output[Any]
    policy: pulumi.Output[Any]
    dont_require_permissions: pulumi.Output[Any]
    comment: pulumi.Output[Any]
    router_version: pulumi.Output[Any]
    ownership_tag: pulumi.Output[Any]

    def __init__(
        self,
        resource_name: str,
        *,
        router: RouterInput,
        name: pulumi.Input[str],
        source: Str = None,
        policy: Str = None,
        dont_require_permissions: Bool = None,
        comment: Str = None,
        ownership_tag: Str = None,
        runtime_owned: Sequence[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = _arguments(locals())
        super().__init__(
            MenuItemProvider("script"),
            resource_name,
            _props(router, arguments, ["router_version"]),
            opts,
        )


class Scheduler(RouterResource, module="routeros", name="Scheduler"):
    """An entry in /system/scheduler."""

    name: pulumi.Output[Any]
    on_event: pulumi.Output[Any]
    start_date: pulumi.Output[Any]
    start_time: pulumi.Output[Any]
    interval: pulumi.Output[Any]
    policy: pulumi.Output[Any]
    disabled: pulumi.Output[Any]
    comment: pulumi.Output[Any]
    router_version: pulumi.Output[Any]
    ownership_tag: pulumi.Output[Any]

    def __init__(
        self,
        resource_name: str,
        *,
        router: RouterInput,
        name: pulumi.Input[str],
        on_event: Str = None,
        start_date: Str = None,
        start_time: Str = None,
        interval: Str = None,
        policy: Str = None,
        disabled: Bool = None,
        comment: Str = None,
        ownership_tag: Str = None,
        runtime_owned: Sequence[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = _arguments(locals())
        super().__init__(
            MenuItemProvider("scheduler"),
            resource_name,
            _props(router, arguments, ["router_version"]),
            opts,
        )


class Netwatch(RouterResource, module="routeros", name="Netwatch"):
    """A probe in /tool/netwatch (v6: ICMP only; v7: probe types, delays, thresholds)."""

    host: pulumi.Output[Any]
    interval: pulumi.Output[Any]
    timeout: pulumi.Output[Any]
    up_script: pulumi.Output[Any]
    down_script: pulumi.Output[Any]
    disabled: pulumi.Output[Any]
    comment: pulumi.Output[Any]
    name: pulumi.Output[Any]
    type: pulumi.Output[Any]
    port: pulumi.Output[Any]
    start_delay: pulumi.Output[Any]
    startup_delay: pulumi.Output[Any]
    test_script: pulumi.Output[Any]
    src_address: pulumi.Output[Any]
    http_codes: pulumi.Output[Any]
    packet_interval: pulumi.Output[Any]
    packet_count: pulumi.Output[Any]
    packet_size: pulumi.Output[Any]
    thr_max: pulumi.Output[Any]
    thr_avg: pulumi.Output[Any]
    thr_stdev: pulumi.Output[Any]
    thr_jitter: pulumi.Output[Any]
    thr_loss_percent: pulumi.Output[Any]
    thr_loss_count: pulumi.Output[Any]
    thr_tcp_conn_time: pulumi.Output[Any]
    thr_http_time: pulumi.Output[Any]
    router_version: pulumi.Output[Any]
    ownership_tag: pulumi.Output[Any]

    def __init__(
        self,
        resource_name: str,
        *,
        router: RouterInput,
        host: pulumi.Input[str],
        interval: Str = None,
        timeout: Str = None,
        up_script: Str = None,
        down_script: Str = None,
        disabled: Bool = None,
        comment: Str = None,
        name: Str = None,
        type: Str = None,
        port: Str = None,
        start_delay: Str = None,
        startup_delay: Str = None,
        test_script: Str = None,
        src_address: Str = None,
        http_codes: Str = None,
        packet_interval: Str = None,
        packet_count: Str = None,
        packet_size: Str = None,
        thr_max: Str = None,
        thr_avg: Str = None,
        thr_stdev: Str = None,
        thr_jitter: Str = None,
        thr_loss_percent: Str = None,
        thr_loss_count: Str = None,
        thr_tcp_conn_time: Str = None,
        thr_http_time: Str = None,
        ownership_tag: Str = None,
        runtime_owned: Sequence[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = _tagged(_arguments(locals()), "Netwatch", resource_name)
        super().__init__(
            MenuItemProvider("netwatch"),
            resource_name,
            _props(router, arguments, ["router_version"]),
            opts,
        )


class EmailSettings(RouterResource, module="routeros", name="EmailSettings"):
    """The router's SMTP settings, /tool/e-mail (a singleton). Create records the settings
    it finds (`previous`, a secret output); delete restores them."""

    server: pulumi.Output[Any]
    port: pulumi.Output[Any]
    from_: pulumi.Output[Any]
    user: pulumi.Output[Any]
    password: pulumi.Output[Any]
    tls: pulumi.Output[Any]
    vrf: pulumi.Output[Any]
    certificate_verification: pulumi.Output[Any]
    router_version: pulumi.Output[Any]
    previous: pulumi.Output[Any]

    def __init__(
        self,
        resource_name: str,
        *,
        router: RouterInput,
        server: Str = None,
        port: Str = None,
        from_: Str = None,
        user: Str = None,
        password: Str = None,
        tls: Str = None,
        vrf: Str = None,
        certificate_verification: Str = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = _arguments(locals())
        # The SMTP password (declared and found) must stay secret in state.
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["password", "previous"])
        )
        super().__init__(
            MenuItemProvider("email"),
            resource_name,
            _props(router, arguments, ["router_version", "previous"]),
            opts,
        )
