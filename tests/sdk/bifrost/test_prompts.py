"""@prompt and its messages, and `options(...)`: what authors write, checked where they write it."""

from enum import Enum
from typing import Annotated, Literal

import pytest

from bifrost import Audio, File, Image, Message, assistant, options, prompt, user
from bifrost.choices import Options, provider_of
from bifrost.decorators import get_spec
from bifrost.prompts import PROMPT_OPTIONS, argument_problem, messages_of
from bifrost.signatures import build_signature


def test_prompt_with_and_without_parentheses_keeps_the_function_and_records_its_options() -> None:
    @prompt
    def greet(name: str) -> str:
        """Greet someone.

        More text.
        """
        return f"Hello {name}"

    @prompt(name="farewell", description="Say goodbye", roles=["hr"], admin_only=True)
    async def bye() -> str:
        return "Bye"

    plain, named = get_spec(greet), get_spec(bye)
    assert greet("Ada") == "Hello Ada"
    assert plain is not None and named is not None
    assert (plain.kind, plain.name, plain.description, plain.roles, plain.admin_only, plain.timeout_seconds) == (
        "prompt",
        "greet",
        "Greet someone.",
        (),
        False,
        60,
    )
    assert (named.name, named.description, named.roles, named.admin_only) == ("farewell", "Say goodbye", ("hr",), True)


def test_unknown_or_malformed_prompt_options_fail_where_they_are_written() -> None:
    with pytest.raises(TypeError, match=r"@prompt got unknown parameter\(s\) 'is_tool'; valid parameters are: "):
        prompt(is_tool=True)
    with pytest.raises(TypeError, match=r"@prompt\(roles=...\) must be a list of strings, got 'hr'"):
        prompt(roles="hr")(lambda: "x")
    with pytest.raises(TypeError, match=r"@prompt\(admin_only=...\) must be True or False, got 'yes'"):
        prompt(admin_only="yes")(lambda: "x")
    assert PROMPT_OPTIONS == ("name", "description", "roles", "admin_only")


def test_every_return_shape_becomes_messages_in_their_json_form() -> None:
    image, audio = Image(data=b"\x89PNG"), Audio(data=b"RIFF", mime_type="audio/wav")
    document = File(uri="test://doc", text="body")

    assert messages_of("Hi", "p") == [{"role": "user", "content": "Hi"}]
    assert messages_of(assistant("Sure"), "p") == [{"role": "assistant", "content": "Sure"}]
    assert messages_of(image, "p") == [{"role": "user", "content": image.model_dump(mode="json")}]
    shaped = messages_of(
        ["a", user(audio), Message(role="assistant", content=document), {"role": "assistant", "content": "b"}], "p"
    )
    assert shaped == [
        {"role": "user", "content": "a"},
        {"role": "user", "content": audio.model_dump(mode="json")},
        {"role": "assistant", "content": document.model_dump(mode="json")},
        {"role": "assistant", "content": "b"},
    ]
    assert shaped[1]["content"]["bifrost_content"] == "audio"


def test_what_is_not_a_message_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"prompt 'p' returned int: a prompt returns a str, a Message"):
        messages_of(42, "p")
    with pytest.raises(TypeError, match=r"prompt 'p' returned no messages: return at least one"):
        messages_of([], "p")
    with pytest.raises(ValueError, match="role"):
        Message(role="system", content="x")  # type: ignore[arg-type]


class Colour(Enum):
    RED = "red"


class Number(Enum):
    ONE = 1


@pytest.mark.parametrize(
    ("annotation", "fine"),
    [
        (str, True),
        (int, True),
        (float, True),
        (bool, True),
        (int | None, True),
        (Literal["a", "b"], True),
        (Annotated[str, options("x")], True),
        (Colour, True),
        (Literal[1, 2], False),
        (Number, False),
        (list[str], False),
        (dict, False),
        (str | list[str], False),
    ],
)
def test_a_prompt_parameter_must_be_a_type_a_string_gives(annotation: object, fine: bool) -> None:
    problem = argument_problem(annotation)
    assert (problem is None) is fine, problem
    if not fine:
        assert problem is not None and "cannot be given as a string" in problem


def test_options_marks_a_parameter_without_touching_its_schema_or_validation() -> None:
    def assign(department: Annotated[str, options("departments")], note: str = "") -> None: ...

    signature = build_signature(assign, "assign_arguments")
    assert signature.options == {"department": "departments"}
    assert signature.input_schema["properties"]["department"] == {"type": "string"}
    assert signature.arguments_model.model_validate({"department": "anything"}).department == "anything"  # type: ignore[attr-defined]
    assert provider_of(Annotated[str, options("a"), options("b")]) == "b"
    assert provider_of(str) is None
    assert options("x") == Options("x")
    with pytest.raises(TypeError, match=r"options\(...\) takes the name of a data provider, such as"):
        options("")
