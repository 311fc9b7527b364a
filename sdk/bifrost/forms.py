"""Form definitions (read-only), and asking the calling person to fill in a form mid-run (`ask`)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic

from bifrost._context import current_context
from bifrost._form_schema import FormField, fields_schema, model_schema
from bifrost.errors import ValidationError
from bifrost.platform import call, returned, returned_list
from bifrost.types import ElicitationResult, FormPublic


async def list() -> builtins.list[FormPublic]:
    """Forms available to the caller."""
    return returned_list(FormPublic, await call("forms.list"))


async def get(form_id: str) -> FormPublic:
    """A form by id."""
    return returned(FormPublic, await call("forms.get", form_id=form_id))


async def ask(
    message: str, form: type[pydantic.BaseModel] | FormPublic | Mapping[str, Any] | Sequence[FormField]
) -> ElicitationResult:
    """Ask the person behind the calling MCP client to fill in `form` (elicitation); wait for their answer.

    `form` is a pydantic model (the answer's content is then an instance of it), a stored form (`forms.get`),
    a list of FormFields, or a dict by field name of FormFields, Python types (`str`, `int`, `bool`,
    `Literal[...]`, `list[Literal[...]]`) or JSON schema properties. Defaults are shown pre-filled. Returns
    accept (with the content), decline or cancel. Raises ClientUnavailableError when nobody can be asked: a
    run with no client (a schedule, an endpoint, `bifrost-mcp run`) or a client without elicitation.
    """
    model: type[pydantic.BaseModel] | None = None
    if isinstance(form, type) and issubclass(form, pydantic.BaseModel):
        model, schema = form, model_schema(form)
    elif isinstance(form, FormPublic):
        fields = (form.form_schema or {}).get("fields")
        if not isinstance(fields, builtins.list) or not fields:
            raise ValidationError(f"form {form.name!r} has no fields to ask")
        schema = fields_schema(fields)
    else:
        schema = fields_schema(form)
    answer = await current_context().elicit(message, schema)
    if model is None or not answer.accepted:
        return answer
    try:
        return ElicitationResult(action="accept", content=model.model_validate(answer.content or {}))
    except pydantic.ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors())
        raise ValidationError(f"The answer did not match {model.__name__}: {problems}") from None


__all__ = ["FormField", "ask", "get", "list"]
