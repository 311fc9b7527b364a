"""The process-wide set of secrets runs read, for output that belongs to no run."""

from bifrost_mcp.executions.seen import SeenSecrets


def test_every_secret_is_redacted_longest_first_in_text_and_bytes() -> None:
    seen = SeenSecrets()
    seen.add("abcd")
    seen.add("abcdefgh")
    assert seen.redact("x abcdefgh y abcd z") == "x [REDACTED] y [REDACTED] z"
    assert seen.redact_bytes("é abcdefgh".encode()) == "é [REDACTED]".encode()


def test_only_the_most_recent_are_kept() -> None:
    seen = SeenSecrets(limit=2)
    for value in ("first-secret", "second-secret", "third-secret"):
        seen.add(value)
    assert seen.redact("first-secret second-secret third-secret") == "first-secret [REDACTED] [REDACTED]"
