"""Every stack config key routeros-lb reads, and where each model field's errors are reported.

A pydantic error location inside `SiteSpec` (`("services", "web", "health", "type")`) becomes the
key the user writes (`routeros-lb:services.web.health.type`).
"""

from __future__ import annotations

ROUTER_KEYS = {
    "host": "routeros:host",
    "port": "routeros:port",
    "tls": "routeros:tls",
    "caFile": "routeros:caFile",
    "verifyTls": "routeros:verifyTls",
    "username": "routeros:username",
    "version": "routeros:version",
}
EMAIL_KEY = "routeros-lb:email"
SITE_KEY = "routeros-lb:site"
SERVICES_KEY = "routeros-lb:services"
PASSWORD_KEY = "routeros:password"  # noqa: S105 - a key, not a secret
SMTP_PASSWORD_KEY = "routeros-lb:smtpPassword"  # noqa: S105 - a key, not a secret
# Secrets are read where they are used, never into a spec: the router password by the providers,
# the SMTP password by the site component.
SECRET_KEYS = (PASSWORD_KEY, SMTP_PASSWORD_KEY)
KNOWN_KEYS = frozenset((*ROUTER_KEYS.values(), EMAIL_KEY, SITE_KEY, SERVICES_KEY, *SECRET_KEYS))
NAMESPACES = ("routeros:", "routeros-lb:")
# The sections of `SiteSpec` read from one key each.
SECTION_KEYS = {"email": EMAIL_KEY, "site": SITE_KEY, "services": SERVICES_KEY}

_ROUTER_FIELDS = {
    "ca_file": "caFile", "verify_tls": "verifyTls",
}


def config_key(loc: tuple[int | str, ...]) -> str:
    """The config key of an error location inside `SiteSpec` (a bad map key is reported by
    pydantic as `<key>.[key]`: the key itself is the one to fix)."""
    section, *rest = loc
    parts = [_key_part(part) for part in rest if part != "[key]"]
    if section == "router" and parts:
        name = _ROUTER_FIELDS.get(parts[0], parts[0])
        return ROUTER_KEYS.get(name, f"routeros:{name}")
    if section == "router":
        return "routeros:host"
    if section in SECTION_KEYS:
        if section == "email" and parts[:1] == ["from_"]:
            parts[0] = "from"
        return ".".join([SECTION_KEYS[str(section)], *parts])
    return ".".join(str(part) for part in loc)


def _key_part(part: int | str) -> str:
    text = repr(part) if not str(part).isprintable() else str(part)
    return text if len(text) <= 40 else text[:40] + "..."
