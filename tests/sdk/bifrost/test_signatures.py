"""Input and output schemas inferred from signatures, annotations and docstrings."""

import enum
import inspect
from datetime import date
from typing import Annotated, Any, Literal, Optional

import pydantic
import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from bifrost import ExecutionContext
from bifrost.signatures import Signature, build_signature, first_paragraph


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    city: str
    postcode: str | None = None


class Person(BaseModel):
    name: str
    address: Address


class Line(TypedDict):
    sku: str
    quantity: int


class Order(TypedDict):
    lines: list[Line]
    note: str


_EMPTY = inspect.Parameter.empty


def signature_with(annotation: Any, default: Any = _EMPTY) -> Signature:
    """The signature of `def fn(value: <annotation> [= default])`."""

    def fn(value):  # type: ignore[no-untyped-def]
        return value

    fn.__annotations__ = {"value": annotation}
    if default is not _EMPTY:
        fn.__defaults__ = (default,)
    return build_signature(fn, "fn_arguments")


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    assert ref.startswith("#/$defs/"), ref
    return schema["$defs"][ref.removeprefix("#/$defs/")]


def without_titles(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: without_titles(v) for k, v in node.items() if k != "title"}
    if isinstance(node, list):
        return [without_titles(v) for v in node]
    return node


PLAIN_TYPES = [
    (str, {"type": "string"}),
    (int, {"type": "integer"}),
    (float, {"type": "number"}),
    (bool, {"type": "boolean"}),
    (list[str], {"type": "array", "items": {"type": "string"}}),
    (list[list[int]], {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}),
    (dict[str, int], {"type": "object", "additionalProperties": {"type": "integer"}}),
    (dict[str, Any], {"type": "object", "additionalProperties": True}),
    (Optional[int], {"anyOf": [{"type": "integer"}, {"type": "null"}]}),  # noqa: UP045 - the point of the case
    (int | None, {"anyOf": [{"type": "integer"}, {"type": "null"}]}),
    (Literal["low", "high"], {"type": "string", "enum": ["low", "high"]}),
    (date, {"type": "string", "format": "date"}),
]


@pytest.mark.parametrize(("annotation", "expected"), PLAIN_TYPES, ids=[str(a) for a, _ in PLAIN_TYPES])
def test_each_annotation_becomes_its_json_schema_and_a_required_property(annotation: Any, expected: dict) -> None:
    signature = signature_with(annotation)
    assert without_titles(signature.input_schema["properties"]["value"]) == expected
    assert signature.input_schema["required"] == ["value"]
    assert signature.input_schema["type"] == "object"
    Draft202012Validator.check_schema(signature.input_schema)


@pytest.mark.parametrize(
    ("annotation", "default", "expected"),
    [
        (int, 3, {"type": "integer", "default": 3}),
        (int | None, None, {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}),
        (str, "x", {"type": "string", "default": "x"}),
        (Literal["a", "b"], "b", {"type": "string", "enum": ["a", "b"], "default": "b"}),
        (list[str], [], {"type": "array", "items": {"type": "string"}, "default": []}),
    ],
)
def test_a_parameter_with_a_default_is_optional_and_carries_the_default(
    annotation: Any, default: Any, expected: dict
) -> None:
    signature = signature_with(annotation, default)
    assert without_titles(signature.input_schema["properties"]["value"]) == expected
    assert "value" not in signature.input_schema.get("required", [])


def test_an_enum_parameter_is_an_enum_of_its_values_in_defs() -> None:
    schema = signature_with(Colour, Colour.RED).input_schema
    node = schema["properties"]["value"]
    assert resolve(schema, node)["enum"] == ["red", "blue"]
    assert node["default"] == "red"


def test_nested_pydantic_models_land_in_defs_and_validate_into_models() -> None:
    signature = signature_with(Person)
    schema = signature.input_schema
    person = resolve(schema, schema["properties"]["value"])
    assert person["required"] == ["name", "address"]
    address = resolve(schema, person["properties"]["address"])
    assert set(address["properties"]) == {"city", "postcode"}
    Draft202012Validator.check_schema(schema)
    validated = signature.arguments_model.model_validate({"value": {"name": "Ada", "address": {"city": "London"}}})
    value = signature.to_kwargs(validated)["value"]
    assert isinstance(value, Person)
    assert isinstance(value.address, Address)


def test_nested_typed_dicts_land_in_defs() -> None:
    schema = signature_with(Order).input_schema
    order = resolve(schema, schema["properties"]["value"])
    assert order["required"] == ["lines", "note"]
    line = resolve(schema, order["properties"]["lines"]["items"])
    assert without_titles(line["properties"]) == {"sku": {"type": "string"}, "quantity": {"type": "integer"}}
    Draft202012Validator(schema).validate({"value": {"lines": [{"sku": "A", "quantity": 2}], "note": ""}})


def test_annotated_field_carries_description_and_constraints() -> None:
    signature = signature_with(Annotated[int, Field(description="How many seats", ge=1, le=50)], 5)
    node = signature.input_schema["properties"]["value"]
    assert node["description"] == "How many seats"
    assert (node["minimum"], node["maximum"], node["default"]) == (1, 50, 5)
    with pytest.raises(pydantic.ValidationError):
        signature.arguments_model.model_validate({"value": 51})


def test_the_input_schema_forbids_additional_properties() -> None:
    signature = signature_with(str)
    assert signature.input_schema["additionalProperties"] is False
    with pytest.raises(pydantic.ValidationError, match="extra"):
        signature.arguments_model.model_validate({"value": "a", "other": 1})


def test_a_function_without_parameters_has_an_empty_object_schema() -> None:
    def ping() -> str:
        return "pong"

    schema = build_signature(ping, "ping_arguments").input_schema
    assert schema == {"type": "object", "properties": {}, "additionalProperties": False}


def google(hostname: str, port: int = 22) -> None:
    """Open a session.

    Args:
        hostname: The server to connect to.
        port: TCP port of the SSH
            daemon.
    """


def numpy(hostname: str, port: int = 22) -> None:
    """Open a session.

    Parameters
    ----------
    hostname : str
        The server to connect to.
    port : int
        TCP port of the SSH
        daemon.
    """


def rest(hostname: str, port: int = 22) -> None:
    """Open a session.

    :param hostname: The server to connect to.
    :param port: TCP port of the SSH
        daemon.
    """


@pytest.mark.parametrize("fn", [google, numpy, rest], ids=["google", "numpy", "rest"])
def test_parameter_descriptions_come_from_google_numpy_and_rest_docstrings(fn: Any) -> None:
    properties = build_signature(fn, "open_arguments").input_schema["properties"]
    assert properties["hostname"]["description"] == "The server to connect to."
    assert properties["port"]["description"] == "TCP port of the SSH daemon."


def test_an_annotated_description_wins_over_the_docstring() -> None:
    def fn(n: Annotated[int, Field(description="From the annotation")]) -> None:
        """Do it.

        Args:
            n: From the docstring.
        """

    assert build_signature(fn, "a").input_schema["properties"]["n"]["description"] == "From the annotation"


def test_an_execution_context_parameter_is_excluded_from_the_schema_and_recorded() -> None:
    def fn(ticket: str, context: ExecutionContext) -> None: ...

    def annotated(ctx: Annotated[ExecutionContext, "the run"], ticket: str) -> None: ...

    for function in (fn, annotated):
        signature = build_signature(function, "a")
        assert list(signature.input_schema["properties"]) == ["ticket"]
        assert signature.input_schema["required"] == ["ticket"]
    assert build_signature(fn, "a").context_params == ("context",)
    assert build_signature(annotated, "a").context_params == ("ctx",)


def returns(annotation: Any) -> Signature:
    def fn() -> None: ...

    fn.__annotations__ = {"return": annotation}
    return build_signature(fn, "fn_arguments")


def test_a_model_return_is_the_output_schema_unwrapped() -> None:
    signature = returns(Person)
    assert signature.wraps_output is False
    schema = signature.output_schema
    assert schema is not None and schema["type"] == "object"
    assert schema["required"] == ["name", "address"]
    assert "Address" in schema["$defs"]
    assert signature.output_adapter is not None
    dumped = signature.output_adapter.dump_python(Person(name="Ada", address=Address(city="London")), mode="json")
    Draft202012Validator(schema).validate(dumped)


def test_typed_dict_and_dict_returns_are_object_output_schemas() -> None:
    order = returns(Order)
    assert order.wraps_output is False and order.output_schema is not None
    assert order.output_schema["type"] == "object"
    assert set(order.output_schema["properties"]) == {"lines", "note"}
    mapping = returns(dict[str, int])
    assert mapping.wraps_output is False
    assert mapping.output_schema == {"type": "object", "additionalProperties": {"type": "integer"}}


@pytest.mark.parametrize(
    ("annotation", "result_schema"),
    [
        (int, {"type": "integer"}),
        (str, {"type": "string"}),
        (bool, {"type": "boolean"}),
        (list[str], {"type": "array", "items": {"type": "string"}}),
        (int | None, {"anyOf": [{"type": "integer"}, {"type": "null"}]}),
    ],
)
def test_primitive_and_list_returns_are_wrapped_as_result(annotation: Any, result_schema: dict) -> None:
    signature = returns(annotation)
    assert signature.wraps_output is True
    assert signature.output_schema == {
        "type": "object",
        "properties": {"result": result_schema},
        "required": ["result"],
    }


def test_a_wrapped_list_of_models_keeps_its_defs_at_the_top() -> None:
    schema = returns(list[Person]).output_schema
    assert schema is not None
    assert schema["properties"]["result"]["items"] == {"$ref": "#/$defs/Person"}
    assert set(schema["$defs"]) == {"Person", "Address"}
    Draft202012Validator(schema).validate({"result": [{"name": "Ada", "address": {"city": "London"}}]})


@pytest.mark.parametrize("annotation", [None, Any])
def test_no_structured_return_means_no_output_schema(annotation: Any) -> None:
    signature = returns(annotation)
    assert signature.output_schema is None
    assert signature.output_adapter is None


def test_an_unannotated_return_means_no_output_schema() -> None:
    def fn(x: int):  # type: ignore[no-untyped-def]
        return x

    assert build_signature(fn, "a").output_schema is None


def test_star_args_are_rejected_naming_the_function() -> None:
    def spread(*hosts: str) -> None: ...

    with pytest.raises(TypeError, match=r"spread: \*args and \*\*kwargs cannot be described"):
        build_signature(spread, "a")


def test_star_star_kwargs_are_rejected() -> None:
    def options(name: str, **extra: Any) -> None: ...

    with pytest.raises(TypeError, match=r"\*\*kwargs"):
        build_signature(options, "a")


def test_positional_only_and_reserved_parameter_names_are_rejected() -> None:
    def positional(a: int, /) -> None: ...

    def private(_secret: str) -> None: ...

    def shadowing(model_dump: str) -> None: ...

    with pytest.raises(TypeError, match="positional-only parameter 'a'"):
        build_signature(positional, "a")
    with pytest.raises(TypeError, match="'_secret' is reserved"):
        build_signature(private, "a")
    with pytest.raises(TypeError, match="'model_dump' is reserved"):
        build_signature(shadowing, "a")


def test_an_unresolvable_annotation_is_reported_with_the_function_name() -> None:
    def broken(x: "NoSuchType") -> None: ...  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(TypeError, match=r"cannot resolve the type annotations of .*broken"):
        build_signature(broken, "a")


def test_first_paragraph_joins_the_summary_onto_one_line() -> None:
    doc = "Route a ticket\nto its queue.\n\nLonger text.\n\nArgs:\n    x: y\n"
    assert first_paragraph(doc) == "Route a ticket to its queue."
    assert first_paragraph("One line.") == "One line."
    assert first_paragraph(None) is None
    assert first_paragraph("") is None
