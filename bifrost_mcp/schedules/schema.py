"""The schedules table (migrations 1000-1049): one row per scheduled workflow, shared by every host of a data dir."""

from __future__ import annotations

from bifrost_mcp.storage import Migration

MIGRATIONS = [
    # Times are UTC ISO strings (executions.records.iso), so they compare as text. A host fires a due slot by
    # moving next_due on with one conditional UPDATE; the lease (owner, until) marks a run in flight and is
    # renewed while it runs, so a host that dies mid-run holds its schedule only until the lease expires.
    Migration(
        1000,
        "schedules",
        """
        CREATE TABLE schedules (
            name TEXT PRIMARY KEY,
            expression TEXT NOT NULL,
            next_due TEXT NOT NULL,
            paused INTEGER NOT NULL DEFAULT 0,
            lease_owner TEXT,
            lease_until TEXT,
            last_due TEXT,
            last_started TEXT,
            last_finished TEXT,
            last_run_id TEXT,
            last_status TEXT,
            last_message TEXT,
            skipped INTEGER NOT NULL DEFAULT 0,
            missed INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    ),
]
