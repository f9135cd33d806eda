"""The domain: what a site wants, validated and planned. Pure: no Pulumi providers, no sockets."""
