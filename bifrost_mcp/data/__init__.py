"""Tenant data behind the SDK ports (document tables, files, and the other org-scoped stores)."""
