"""routeros-lb: the site described by this stack's config, kept on its MikroTik router."""

from components.program import declare_site

declare_site()
