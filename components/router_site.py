"""`RouterSite`: a site's router objects as one Pulumi component.

It turns a validated `SiteSpec` into resources of `providers/`: the router's e-mail settings (they
belong to the site, not to any one load balancer) and one `PccLoadBalancer` per service of the
site's plan (`balancer.plan`, made for the RouterOS version the stack declares).
"""

from __future__ import annotations

from typing import Any

import pulumi

from balancer.model import SitePlan
from balancer.spec import ServiceSpec
from components.load_balancer import PccLoadBalancer
from providers.connection import RouterSettings
from providers.resources import EmailSettings
from stackconfig import EmailSpec, RouterSpec, SiteSpec, plan_site


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
    plan: SitePlan
    balancers: dict[str, PccLoadBalancer]

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
        # Planned before any resource is declared: the engine creates resources as they are
        # registered, so a plan that fails after the e-mail settings would leave them applied.
        self.plan = plan_site(site, name)
        self.router = router_settings(site.router)
        child = pulumi.ResourceOptions(parent=self)
        self.email = (
            _email(name, self.router, site.email, smtp_password, child) if site.email else None
        )
        # The sync scripts e-mail: the settings go first.
        after = [self.email] if self.email else []
        self.balancers = {
            service.service: PccLoadBalancer(service.service, service, self.router,
                                             run_after=after, opts=child)
            for service in self.plan.services
        }
        self.services = {
            service.service: service_outputs(site.services[service.service], balancer)
            for service, balancer in zip(self.plan.services, self.balancers.values(),
                                         strict=True)
        }
        self.register_outputs({"router": self.router.label, "services": self.services})


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


def service_outputs(spec: ServiceSpec, balancer: PccLoadBalancer) -> dict[str, Any]:
    """What the stack exports per service: where clients reach it, its servers, the buckets."""
    return {
        "frontend": spec.frontend.model_dump(exclude_none=True),
        "servers": {name: server.model_dump(exclude_none=True)
                    for name, server in spec.servers.items()},
        "buckets": balancer.buckets,
    }
