"""Who is calling: users, organizations, roles, tokens and function keys."""
