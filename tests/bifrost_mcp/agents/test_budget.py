"""The context budget: the oldest turns go first, whole, and the latest user message always stays."""

from bifrost.llm import ChatMessage, ToolCall
from bifrost_mcp.agents.budget import fit

CALL = ToolCall("call_1", "get_ticket", {"id": "T-1"})
OLD_TURN = [
    ChatMessage("user", "old question " + "x" * 500),
    ChatMessage("assistant", "", tool_calls=(CALL,)),
    ChatMessage("tool", "old result " + "y" * 500, tool_call_id="call_1"),
    ChatMessage("assistant", "old answer"),
]
NEW_TURN = [ChatMessage("user", "new question")]


def test_a_history_inside_the_budget_is_sent_whole() -> None:
    assert fit("Be brief.", OLD_TURN + NEW_TURN, 10_000) == (OLD_TURN + NEW_TURN, 0)


def test_an_old_turn_over_budget_is_dropped_whole_with_its_tool_call_and_result() -> None:
    messages, dropped = fit("Be brief.", OLD_TURN + NEW_TURN, 200)

    assert messages == NEW_TURN
    assert dropped == len(OLD_TURN)


def test_only_as_many_old_turns_go_as_needed_oldest_first() -> None:
    middle = [ChatMessage("user", "middle"), ChatMessage("assistant", "ok")]

    messages, dropped = fit(None, OLD_TURN + middle + NEW_TURN, 200)

    assert messages == middle + NEW_TURN
    assert dropped == 4


def test_system_messages_and_the_latest_turn_stay_even_over_budget() -> None:
    pinned = ChatMessage("system", "Always answer in French.")
    latest = [ChatMessage("user", "z" * 1_000), ChatMessage("assistant", "", tool_calls=(CALL,))]

    messages, _ = fit("s" * 1_000, [pinned, *OLD_TURN, *latest], 10)

    assert messages == [pinned, *latest]


def test_messages_before_the_first_user_message_are_a_turn_of_their_own() -> None:
    orphan = [ChatMessage("assistant", "a" * 500)]

    messages, dropped = fit(None, orphan + NEW_TURN, 100)

    assert (messages, dropped) == (NEW_TURN, 1)
