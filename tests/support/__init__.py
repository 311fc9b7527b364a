"""Shared test support: real servers on loopback, a real App or Host over a temp data dir, callers, polling.

loopback/     servers speaking vendors' wire protocols (Anthropic, OpenAI chat and embeddings, OAuth tokens)
server.py     LoopbackServer: uvicorn on 127.0.0.1, in the test's loop or a thread; free ports for subprocesses
poll.py       poll: wait, within a bound, for what nobody signals
mcp.py        a real App, MCP clients connected to it (in memory or HTTP), their results
examples.py   the examples/ workspace exercised end to end through a client
workspace.py  workspaces on disk: the examples, and folders a test writes
process.py    the installed bifrost-mcp command as a subprocess
served.py     bifrost-mcp serve in a subprocess (HTTP with its first token, or stdio), its output in files, kill -9
terminal.py   the installed bifrost-mcp command on a pseudo-terminal: typed at, Ctrl-C'd, read back
cli.py        the data commands in process, against a temp data dir
data_dir.py   a real Host, and the data dir read as another process would
callers.py    members of two organizations, a platform admin, any caller
chat_world.py the chat tenant matrix's callers, agents and conversations, built on a real App
ai.py         the AI vendors under test: keys, models, loopback servers, usage
pdfs.py       tiny PDFs written byte by byte
"""
