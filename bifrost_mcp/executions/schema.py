"""The executions tables (migrations 100-199): one row per run, its log lines apart."""

from __future__ import annotations

from bifrost_mcp.storage import Migration

MIGRATIONS = [
    Migration(
        100,
        "executions",
        """
        CREATE TABLE executions (
            id TEXT PRIMARY KEY,
            workflow_name TEXT NOT NULL,
            scope TEXT NOT NULL,
            org_id TEXT,
            executed_by TEXT NOT NULL,
            executed_by_name TEXT NOT NULL,
            executed_by_email TEXT NOT NULL,
            status TEXT NOT NULL,
            input_json TEXT NOT NULL,
            result_json TEXT,
            result_type TEXT,
            error_message TEXT,
            started_at TEXT NOT NULL,
            completed_at TEXT,
            duration_ms INTEGER,
            peak_memory_bytes INTEGER,
            cpu_total_seconds REAL,
            ai_input_tokens INTEGER NOT NULL DEFAULT 0,
            ai_output_tokens INTEGER NOT NULL DEFAULT 0,
            session_id TEXT,
            runner_pid INTEGER NOT NULL
        );
        CREATE INDEX executions_scope_started ON executions (scope, started_at);
        CREATE INDEX executions_user_started ON executions (executed_by, started_at);
        CREATE INDEX executions_started ON executions (started_at);
        CREATE INDEX executions_unfinished ON executions (status) WHERE status IN ('Pending', 'Running');
        CREATE TABLE execution_logs (
            execution_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            level TEXT NOT NULL,
            message TEXT NOT NULL,
            metadata_json TEXT,
            timestamp TEXT NOT NULL,
            PRIMARY KEY (execution_id, seq)
        ) WITHOUT ROWID;
        """,
    ),
    # The owner of a running record is its process's pid and start time: a pid alone may be reused.
    Migration(101, "executions runner start time", "ALTER TABLE executions ADD COLUMN runner_started INTEGER;"),
    # What started the run (see records.Trigger); rows from before it read as NULL: not known.
    Migration(102, "executions trigger", "ALTER TABLE executions ADD COLUMN trigger TEXT;"),
    # The processes that may own running records, each refreshing its lease (see runners): what tells a killed
    # process's runs from a live one's, on any machine sharing the data dir.
    Migration(
        110,
        "execution runners",
        """
        CREATE TABLE execution_runners (
            id TEXT PRIMARY KEY,
            pid INTEGER NOT NULL,
            started INTEGER,
            machine TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );
        """,
    ),
    # Which runner's lease a record's run is under; NULL on rows from before leases: their pid is checked.
    Migration(111, "executions runner id", "ALTER TABLE executions ADD COLUMN runner_id TEXT;"),
    # Queued (async) runs: what a run needs once it is picked up, kept until it finishes. Its execution row is
    # written at once, Pending and without an owner (runner_pid 0), and claimed by the process that runs it.
    Migration(
        120,
        "execution queue",
        """
        CREATE TABLE execution_queue (
            execution_id TEXT PRIMARY KEY,
            arguments_json TEXT NOT NULL,
            credential_id TEXT,
            queued_at TEXT NOT NULL,
            cancel_requested INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX execution_queue_order ON execution_queue (queued_at);
        """,
    ),
]
