"""Command-line helpers that need no Pulumi engine."""
