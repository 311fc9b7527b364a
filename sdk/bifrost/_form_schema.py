"""Forms as MCP elicitation schemas: from FormFields (the SDK's and a stored form's), Python types and models.

An elicitation form is flat: each property a string (text, date, email), a number or integer, a boolean, a
single choice (an `enum`, or `oneOf` const/title pairs when the options have labels) or a multiple choice (an
array whose `items` hold the `enum`, or `anyOf` const/title pairs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter

from bifrost.errors import ValidationError

_STRINGS = {"text": None, "textarea": None, "string": None, "email": "email", "date": "date", "datetime": "date-time"}
_CHOICES = {"select", "radio", "multi_select", "multiselect"}
_DISPLAY_ONLY = {"markdown", "html"}  # a stored form's static content: nothing to ask
_JSON_TYPES = {"string", "number", "integer", "boolean", "array"}


class FormField(BaseModel):
    """One field of a form to ask the person (`forms.ask`); the shape of a stored form's `form_schema.fields`.

    `type` is a FormFieldType (text, number, select, checkbox, date) or one of a stored form's (textarea,
    email, radio, multi_select). `options` are values, or {"value", "label"} pairs shown by label. `multiple`
    makes a select a multi-select; `integer` makes a number whole.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    name: str = ""
    type: str = "text"
    label: str | None = None
    description: str | None = Field(default=None, validation_alias=AliasChoices("description", "help_text"))
    required: bool = False
    default: Any = Field(default=None, validation_alias=AliasChoices("default", "default_value"))
    options: list[Any] | None = None
    multiple: bool = False
    integer: bool = False
    minimum: float | None = Field(default=None, validation_alias=AliasChoices("minimum", "min"))
    maximum: float | None = Field(default=None, validation_alias=AliasChoices("maximum", "max"))
    pattern: str | None = None
    validation: dict[str, Any] | None = None  # a stored form's {"min", "max", "pattern"}


def _options(field: FormField) -> list[tuple[str, str]]:
    pairs = []
    for option in field.options or []:
        if isinstance(option, Mapping):
            value = option.get("value")
            pairs.append((str(value), str(option.get("label") or value)))
        else:
            pairs.append((str(option), str(option)))
    if not pairs:
        raise ValidationError(f"form field {field.name!r} is a {field.type} without options: give it options")
    return pairs


def field_property(field: FormField) -> dict[str, Any] | None:
    """The JSON schema property of `field` (None: a display-only field, nothing to ask)."""
    kind = str(field.type).lower()
    rules = field.validation or {}
    minimum, maximum = _first(field.minimum, rules.get("min")), _first(field.maximum, rules.get("max"))
    pattern = _first(field.pattern, rules.get("pattern"))
    prop: dict[str, Any] = {}
    if kind in _DISPLAY_ONLY:
        return None
    if kind in _STRINGS:
        prop["type"] = "string"
        if _STRINGS[kind]:
            prop["format"] = _STRINGS[kind]
        if pattern:
            prop["pattern"] = pattern
    elif kind == "number":
        prop["type"] = "integer" if field.integer else "number"
        prop.update({k: v for k, v in (("minimum", minimum), ("maximum", maximum)) if v is not None})
    elif kind in ("checkbox", "boolean", "toggle"):
        prop["type"] = "boolean"
    elif kind in _CHOICES:
        pairs = _options(field)
        multiple = field.multiple or kind.startswith("multi")
        choices: dict[str, Any] = {"type": "string", "enum": [value for value, _ in pairs]}
        if any(value != label for value, label in pairs):  # shown by label: const/title pairs (SEP-1330)
            choices = {"anyOf" if multiple else "oneOf": [{"const": v, "title": t} for v, t in pairs]}
        prop = {"type": "array", "items": choices} if multiple else {"type": "string", **choices}
    else:
        raise ValidationError(
            f"form field {field.name!r} is of type {field.type!r}, which an MCP client cannot ask for: use text, "
            "number, select, checkbox or date"
        )
    if field.label:
        prop["title"] = field.label
    if field.description:
        prop["description"] = field.description
    if field.default is not None:
        default = field.default
        if prop["type"] == "array" and isinstance(default, str):  # a stored multi-select's "a,b"
            default = [part.strip() for part in default.split(",") if part.strip()]
        prop["default"] = default
    return prop


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    """A pydantic JSON schema with its `$ref`s inlined and `X | None` read as an optional X."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _inline(
            {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}, defs
        )
    branches = node.get("anyOf")
    if isinstance(branches, list) and any(b == {"type": "null"} for b in branches):
        rest = [b for b in branches if b != {"type": "null"}]
        if len(rest) == 1:
            merged = {**{k: v for k, v in node.items() if k != "anyOf"}, **rest[0]}
            if merged.get("default", 0) is None:
                merged.pop("default")
            return _inline(merged, defs)
    return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}


def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    raw = model.model_json_schema()
    schema = _inline(raw, raw.get("$defs", {}))
    schema.pop("title", None)
    schema.pop("description", None)
    return {k: schema[k] for k in ("type", "properties", "required") if k in schema}


def _typed_property(name: str, kind: Any) -> dict[str, Any]:
    raw = TypeAdapter(kind).json_schema()
    return dict(_inline(raw, raw.get("$defs", {})))


def fields_schema(fields: Mapping[str, Any] | Sequence[Any]) -> dict[str, Any]:
    """The elicitation schema of FormFields (a list, or a dict by name of FormFields, types or schema dicts)."""
    items = list(fields.items()) if isinstance(fields, Mapping) else [(None, f) for f in fields]
    properties: dict[str, Any] = {}
    required: list[str] = []
    for key, spec in items:
        prop: dict[str, Any] | None
        if isinstance(spec, Mapping) and key is not None and spec.get("type") in _JSON_TYPES and "name" not in spec:
            prop = dict(spec)  # a JSON schema property as is; `"required": True` beside it marks it required
            needed = prop.pop("required", False) is True
            name = key
        elif isinstance(spec, FormField | Mapping):
            field = spec if isinstance(spec, FormField) else FormField.model_validate(spec)
            if key is not None and not field.name:
                field = field.model_copy(update={"name": key})
            name, prop, needed = field.name, field_property(field), field.required
        elif key is not None:
            name, prop, needed = key, _typed_property(key, spec), True
        else:
            raise ValidationError(f"a form field must be a FormField or a dict, not {type(spec).__name__}")
        if not name:
            raise ValidationError("every form field needs a name")
        if prop is None:
            continue
        properties[name] = prop
        if needed:
            required.append(name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


__all__ = ["FormField", "field_property", "fields_schema", "model_schema"]
