"""`RouterSite`: a site's router objects as one Pulumi component.

It turns a validated `SiteSpec` into resources of `providers/`: today the router's e-mail settings,
which belong to the site rather than to any one load balancer; the load balancers will hang under
the same component.
"""

from __future__ import annotations

import pulumi

from components.site import EmailSpec, RouterSpec, SiteSpec
from providers.connection import RouterSettings
from providers.resources import EmailSettings


def router_settings(spec: RouterSpec) -> RouterSettings:
    return RouterSettings(
        host=spec.host,
        port=spec.effective_port,
        tls=spec.tls,
        verify_tls=spec.verify_tls,
        ca_file=spec.ca_file,
        username=spec.username,
    )


class RouterSite(pulumi.ComponentResource):
    """Everything routeros-lb keeps on one site's router."""

    email: EmailSettings | None

    def __init__(
        self,
        name: str,
        site: SiteSpec,
        smtp_password: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`smtp_password` (a secret) is kept apart from the spec; without it the router keeps
        the SMTP password it has."""
        super().__init__("routeros-lb:index:RouterSite", name, None, opts)
        self.router = router_settings(site.router)
        child = pulumi.ResourceOptions(parent=self)
        self.email = (
            _email(name, self.router, site.email, smtp_password, child) if site.email else None
        )
        self.register_outputs({"router": self.router.label})


def _email(
    name: str,
    router: RouterSettings,
    spec: EmailSpec,
    password: pulumi.Input[str] | None,
    opts: pulumi.ResourceOptions,
) -> EmailSettings:
    return EmailSettings(
        f"{name}-email",
        router=router,
        server=spec.server,
        port=str(spec.port),
        from_=spec.from_,
        user=spec.user,
        password=password,
        tls=spec.tls,
        opts=opts,
    )
