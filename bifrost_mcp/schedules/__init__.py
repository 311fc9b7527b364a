"""Schedule state: each scheduled workflow's next due time, its lease, its last run, and whether it is paused."""
