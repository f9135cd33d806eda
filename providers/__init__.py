"""Pulumi dynamic providers for RouterOS objects, and the connection layer under them.

This package knows RouterOS (menus, properties, versions) and nothing about load balancing.
Importing it opens no connection and reads no configuration: provider classes are pickled by
reference and re-imported by Pulumi's provider host.
"""
