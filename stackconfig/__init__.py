"""Every stack config key routeros-lb reads (`routeros:*`, `routeros-lb:*`), in one place.

- `model`: `SiteSpec`, the one pydantic model of the whole stack config (the services in it are the
  balancer's own input models, `balancer.spec`, defined once there as the plan's contract);
- `rules`: what values cannot mean together (TLS options without TLS, overlapping frontends, a
  frontend on the router's API port, a hairpin network of /0);
- `keys`: the config keys, and the key of each model field, for messages;
- `read`: the entry point the program and the tools call (`read_site`, `plan_site`);
- `stack_file`: a stack file read as the Pulumi CLI reads it (YAML 1.2), for the tools, the demo
  and the engine stand-in;
- `errors`: `SiteConfigError`, the package's one error, every problem keyed.
Pure: pydantic, ruamel.yaml and the standard library; no Pulumi, no sockets.
"""

from stackconfig.errors import SiteConfigError
from stackconfig.keys import (
    EMAIL_KEY,
    PASSWORD_KEY,
    ROUTER_KEYS,
    SECRET_KEYS,
    SERVICES_KEY,
    SITE_KEY,
    SMTP_PASSWORD_KEY,
)
from stackconfig.model import EmailSpec, RouterSpec, SiteSpec
from stackconfig.read import plan_site, read_site

__all__ = [
    "EMAIL_KEY", "PASSWORD_KEY", "ROUTER_KEYS", "SECRET_KEYS", "SERVICES_KEY", "SITE_KEY",
    "SMTP_PASSWORD_KEY", "EmailSpec",
    "RouterSpec", "SiteConfigError", "SiteSpec", "plan_site", "read_site",
]
