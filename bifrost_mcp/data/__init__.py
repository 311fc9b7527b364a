"""Tenant data the SDK reaches through its ports: document tables and files."""
