"""Input and output JSON Schemas from a function's signature, annotations and docstring (pydantic)."""

from __future__ import annotations

import dataclasses
import inspect
import keyword
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args, get_origin

import docstring_parser
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from pydantic.fields import FieldInfo
from typing_extensions import is_typeddict

from bifrost._context import ExecutionContext
from bifrost.choices import provider_of
from bifrost.content import Audio, File, Image


def first_paragraph(doc: str | None) -> str | None:
    """The docstring's summary: its first paragraph, joined onto one line."""
    if not doc:
        return None
    parsed = docstring_parser.parse(doc)
    text = parsed.short_description or ""
    if parsed.long_description and not parsed.blank_after_short_description:
        text = f"{text} {parsed.long_description.split(chr(10) + chr(10))[0]}"
    return " ".join(text.split()) or None


@dataclass(frozen=True, slots=True)
class Signature:
    """A function's arguments model and schemas, built once per registry version."""

    arguments_model: type[BaseModel]
    input_schema: dict[str, Any]
    context_params: tuple[str, ...]
    output_adapter: TypeAdapter[Any] | None
    output_schema: dict[str, Any] | None
    wraps_output: bool  # primitive returns travel as {"result": value}
    options: dict[str, str] = field(default_factory=dict)  # parameter -> the data provider of its choices

    def to_kwargs(self, validated: BaseModel) -> dict[str, Any]:
        """Keyword arguments for the function: validated values, nested models kept as models."""
        return {name: getattr(validated, name) for name in type(validated).model_fields}


def _is_context(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation is ExecutionContext


def _has_description(annotation: Any) -> bool:
    if get_origin(annotation) is not Annotated:
        return False
    return any(isinstance(m, FieldInfo) and m.description for m in get_args(annotation)[1:])


def _is_object_type(annotation: Any) -> bool:
    origin = get_origin(annotation) or annotation
    if inspect.isclass(origin) and issubclass(origin, BaseModel):
        return True
    if is_typeddict(origin) or dataclasses.is_dataclass(origin):
        return True
    return origin is dict


def _drop_auto_titles(properties: dict[str, Any]) -> None:
    """Remove the titles pydantic derives from parameter names ("text" -> "Text").

    They repeat the name and cost every client, and the model reading the schema, tokens. A title the author
    set is kept.
    """
    for name, prop in properties.items():
        if isinstance(prop, dict) and prop.get("title") == name.replace("_", " ").title():
            del prop["title"]


def _returns_content(annotation: Any) -> bool:
    """Whether a return annotation names content (Image, Audio, File), alone, in a union or in a list."""
    if annotation in (Image, Audio, File):
        return True
    return any(_returns_content(arg) for arg in get_args(annotation))


def build_signature(fn: Callable[..., Any], model_name: str) -> Signature:
    """Build the arguments model (extra fields forbidden) and input/output schemas of `fn`.

    Raises:
        TypeError: for *args/**kwargs, unresolvable annotations or parameter names a schema cannot carry.
    """
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # annotations are user code: report which function and why
        raise TypeError(f"cannot resolve the type annotations of {fn.__qualname__}: {exc}") from exc
    docs = {p.arg_name: p.description for p in docstring_parser.parse(inspect.getdoc(fn) or "").params}
    fields: dict[str, Any] = {}
    context_params: list[str] = []
    options: dict[str, str] = {}
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"{fn.__qualname__}: *args and **kwargs cannot be described to a client; name each one")
        if param.kind is param.POSITIONAL_ONLY:
            raise TypeError(f"{fn.__qualname__}: positional-only parameter {name!r} cannot be passed by name")
        annotation = hints.get(name, Any)
        if _is_context(annotation):
            context_params.append(name)
            continue
        if name.startswith("_") or keyword.iskeyword(name) or hasattr(BaseModel, name):
            raise TypeError(f"{fn.__qualname__}: parameter name {name!r} is reserved; rename it")
        default = ... if param.default is param.empty else param.default
        if (provider := provider_of(annotation)) is not None:
            options[name] = provider
        description = docs.get(name)
        if description and not _has_description(annotation):
            annotation = Annotated[annotation, Field(description=" ".join(description.split()))]
        fields[name] = (annotation, default)
    model = create_model(model_name, __config__=ConfigDict(extra="forbid"), **fields)
    input_schema = model.model_json_schema()
    input_schema.pop("title", None)
    _drop_auto_titles(input_schema.get("properties", {}))
    input_schema.setdefault("properties", {})
    input_schema["additionalProperties"] = False

    output_adapter: TypeAdapter[Any] | None = None
    output_schema: dict[str, Any] | None = None
    wraps = False
    returns = hints.get("return", Any)
    if _returns_content(returns):
        # MCP content blocks, not structured data: an output schema of their JSON form would be a false promise
        output_adapter = TypeAdapter(returns)
    elif returns not in (Any, None, type(None), inspect.Signature.empty):
        output_adapter = TypeAdapter(returns)
        schema = output_adapter.json_schema(mode="serialization")
        if _is_object_type(returns) and schema.get("type") == "object":
            output_schema = schema
        else:
            wraps = True
            defs = schema.pop("$defs", None)
            output_schema = {"type": "object", "properties": {"result": schema}, "required": ["result"]}
            if defs:
                output_schema["$defs"] = defs
    return Signature(
        arguments_model=model,
        input_schema=input_schema,
        context_params=tuple(context_params),
        output_adapter=output_adapter,
        output_schema=output_schema,
        wraps_output=wraps,
        options=options,
    )
