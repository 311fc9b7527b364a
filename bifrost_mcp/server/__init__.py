"""The MCP server (low-level mcp Server), its transports and the HTTP app."""
