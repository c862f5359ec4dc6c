"""Request parsing and validation from the spec: every failure is an OCI 400 naming the field."""

from __future__ import annotations

import dataclasses
import io
import json
from typing import TYPE_CHECKING, Any

import jsonschema_rs
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import parse_form_data

from . import errors
from .ids import is_ocid

if TYPE_CHECKING:  # the spec layer sits above this one
    from ..spec import Operation, Param, Spec

LIST_CONTROL = {"limit", "page", "sortBy", "sortOrder"}


def _coerce(param: "Param", raw: str, schema: dict) -> Any:
    kind = schema.get("type")
    where = f"{param.location} parameter '{param.name}'"
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise errors.invalid_parameter(f"Invalid {where}: '{raw}' is not an integer.") from None
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            raise errors.invalid_parameter(f"Invalid {where}: '{raw}' is not a number.") from None
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise errors.invalid_parameter(f"Invalid {where}: '{raw}' is not true or false.")
        return raw.lower() == "true"
    enum = schema.get("enum")
    if enum and raw not in enum:
        raise errors.invalid_parameter(
            f"Invalid {where}: '{raw}' is not one of {', '.join(enum)}."
        )
    if schema.get("x-oci-ocid") and not is_ocid(raw):
        raise errors.invalid_parameter(f"Invalid {where}: '{raw}' is not a valid OCID.")
    return raw


def parse_params(op: "Operation", path_args: dict, query, headers) -> tuple[dict, dict, dict]:
    """Path, query and header values of ``op``, typed and checked."""
    path: dict = {}
    query_out: dict = {}
    header_out: dict = {}
    for param in op.params:
        if param.location == "path":
            path[param.name] = _coerce(param, path_args[param.name], param.schema)
        elif param.location == "query":
            if param.is_array:
                values = query.getlist(param.name)
                if values:
                    query_out[param.name] = [_coerce(param, v, param.schema["items"]) for v in values]
            elif param.name in query:
                query_out[param.name] = _coerce(param, query[param.name], param.schema)
            if param.required and param.name not in query_out:
                raise errors.missing_parameter(f"The query parameter '{param.name}' is required.")
        else:
            value = headers.get(param.name)
            if value is not None:
                header_out[param.name] = value
    if "limit" in query_out and not 1 <= query_out["limit"] <= 1000:
        raise errors.invalid_parameter("Invalid query parameter 'limit': it must be between 1 and 1000.")
    return path, query_out, header_out


def _prune_nulls(value: Any) -> Any:
    """A JSON ``null`` field means the same as an absent one, as in the real service."""
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) for v in value]
    return value


def _field(path: list) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_for(err: jsonschema_rs.ValidationError) -> errors.ServiceError:
    """The 400 for a body that breaks its schema; ``param`` names the field (the OpenAI dialect shows it)."""
    error = _message_for(err)
    kind = err.kind
    field = _field(list(err.instance_path))
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        field = f"{field}.{kind.property}" if field else kind.property
    error.param = field or None
    return error


def _message_for(err: jsonschema_rs.ValidationError) -> errors.ServiceError:
    kind = err.kind
    field = _field(list(err.instance_path))
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        name = f"{field}.{kind.property}" if field else kind.property
        return errors.missing_parameter(f"The field '{name}' is required.")
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
        names = ", ".join(f"'{field}.{u}'" if field else f"'{u}'" for u in kind.unexpected)
        return errors.invalid_parameter(f"Unknown or read-only field {names}: it cannot be set in this request.")
    if not field:
        return errors.invalid_parameter("The request body must be a JSON object.")
    value = json.dumps(err.instance)
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum):
        allowed = ", ".join(str(o) for o in kind.options)
        return errors.invalid_parameter(f"Invalid value {value} for '{field}': allowed values are {allowed}.")
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
        return errors.invalid_parameter(f"Invalid value {value} for '{field}': expected {' or '.join(kind.types)}.")
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Pattern):
        return errors.invalid_parameter(f"Invalid value {value} for '{field}': it is not a valid OCID.")
    return errors.invalid_parameter(f"Invalid value {value} for '{field}': {err.message}.")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes) -> Any:
    """A JSON document; 400 CannotParseRequest for anything else (NaN and Infinity included)."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise errors.cannot_parse(f"The request body is not valid JSON: {exc}.") from None


def parse_form(raw: bytes, content_type: str) -> dict:
    """A ``multipart/form-data`` body: its fields as strings, its files as :class:`Upload`."""
    environ = {
        "wsgi.input": io.BytesIO(raw),
        "CONTENT_LENGTH": str(len(raw)),
        "CONTENT_TYPE": content_type,
        "REQUEST_METHOD": "POST",
    }
    try:
        _, form, files = parse_form_data(environ, silent=False)
    except (ValueError, RequestEntityTooLarge) as exc:
        raise errors.cannot_parse(f"The request body is not a valid multipart form: {exc}.") from None
    out: dict = dict(form.items())
    for name, storage in files.items():
        out[name] = Upload(storage.filename or name, storage.mimetype or "application/octet-stream", storage.read())
    return out


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file part of a multipart form."""

    filename: str
    content_type: str
    data: bytes


def parse_body(spec: "Spec", op: "Operation", raw: bytes, null_is_absent: bool = True, content_type: str = "") -> Any:
    """The request's body (JSON, or a form for operations that take one), validated against the
    operation's schema; ``None`` when the operation takes no body, or takes an optional one and got
    none. With ``null_is_absent``, JSON null fields are dropped first, as the OCI APIs read them."""
    if op.body_schema is None:
        return None
    if not raw.strip():
        if op.body_required:
            raise errors.missing_parameter("The request body is required.")
        return None
    if op.body_media == "multipart/form-data" and content_type.startswith("multipart/"):
        return parse_form(raw, content_type)
    body = parse_json(raw)
    if null_is_absent:
        body = _prune_nulls(body)
    error = next(spec.body_validator(op).iter_errors(body), None)
    if error is not None:
        raise _error_for(error)
    return body
