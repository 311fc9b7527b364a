"""Runs the host starts on its own: cron schedules and queued (async) runs, each through App.run like any call.

Beside the agents, above the App: the server and the CLI start these loops while serving.
"""
