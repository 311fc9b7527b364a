"""Conversations with agents: per user and organization, their messages in order, kept in the host's database."""
