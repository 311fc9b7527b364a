"""Shared test support: real servers on loopback, data-dir setup."""
