"""The approval records and words: which calls wait, what a typed reply decides, what a text front end says."""

from __future__ import annotations

import pytest

from bifrost_mcp.agents.approvals import PendingCall, decision_in, prompt, waiting_in
from bifrost_mcp.conversations.records import Approval, ToolCall, UserMessage


@pytest.mark.parametrize(
    ("text", "decision"),
    [("approve", "approved"), (" Yes! ", "approved"), ("y", "approved"), ("Deny.", "denied"), ("no", "denied"),
     ("approve it, but only for dana", None), ("", None), ("nope", None)],
)  # fmt: skip
def test_only_a_plain_yes_or_no_word_decides(text: str, decision: str | None) -> None:
    assert decision_in(text) == decision


def test_waiting_calls_are_the_pending_approvals_with_their_calls_in_order() -> None:
    messages = [
        UserMessage(text="disable dana and eve"),
        ToolCall(tool_call_id="c1", name="disable_account", arguments={"account": "dana"}, status="awaiting_approval"),
        ToolCall(tool_call_id="c2", name="disable_account", arguments={"account": "eve"}, status="awaiting_approval"),
        Approval(tool_call_id="c1", name="disable_account", arguments={"account": "dana"}, decision="denied"),
        Approval(tool_call_id="c2", name="disable_account", arguments={"account": "eve"}),
        Approval(tool_call_id="orphan", name="x"),  # no call: nothing a decision could run
    ]

    waiting = waiting_in(messages)

    assert [w.pending for w in waiting] == [PendingCall("c2", "disable_account", {"account": "eve"})]


def test_the_prompt_shows_each_call_exactly_and_how_to_answer() -> None:
    one = [PendingCall("c1", "disable_account", {"account": "dana@acme.test", "reason": "left"})]
    two = [*one, PendingCall("c2", "wipe", {})]

    assert prompt(one) == (
        'Approval needed: disable_account with {"account": "dana@acme.test", "reason": "left"}\n'
        'Reply "approve" to run it or "deny" to cancel.'
    )
    assert prompt(two).endswith('Approval needed: wipe with {}\nReply "approve" to run them or "deny" to cancel.')
