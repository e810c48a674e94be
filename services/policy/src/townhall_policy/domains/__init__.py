"""Domains: `org` and the registered space domains, with their domain class."""
