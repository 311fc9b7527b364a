"""Execution records and their log streams."""
