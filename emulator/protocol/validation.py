"""Request parsing and validation from the spec: every failure is an OCI 400 naming the field.

Whatever a client sends, the handlers only ever see bodies within ``limits.py``: at most
``MAX_BODY_BYTES``, nested at most ``MAX_DEPTH`` deep, numbers finite and within a Java ``long``,
text that is valid Unicode (no lone surrogates, which ``\\ud800`` escapes can smuggle in), and
fields within the limits that ``limits.constrain`` adds to the request schemas.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import jsonschema_rs
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import parse_form_data

from . import errors, limits
from .ids import is_ocid

if TYPE_CHECKING:  # the spec layer sits above this one
    from ..spec import Operation, Param, Spec

LIST_CONTROL = {"limit", "page", "sortBy", "sortOrder"}


def _coerce(param: "Param", raw: str, schema: dict) -> Any:
    kind = schema.get("type")
    where = f"{param.location} parameter '{param.name}'"
    if len(raw) > limits.MAX_QUERY_VALUE_CHARS:
        raise errors.invalid_parameter(f"Invalid {where}: it is longer than {limits.MAX_QUERY_VALUE_CHARS} characters.")
    shown = _shown(raw)
    if kind == "integer":
        try:
            value = int(raw)
        except ValueError:
            raise errors.invalid_parameter(f"Invalid {where}: {shown} is not an integer.") from None
        if not limits.INT32[0] <= value <= limits.INT32[1]:
            raise errors.invalid_parameter(f"Invalid {where}: {shown} is out of range (a 32-bit integer).")
        return value
    if kind == "number":
        try:
            value = float(raw)
        except ValueError:
            raise errors.invalid_parameter(f"Invalid {where}: {shown} is not a number.") from None
        if not math.isfinite(value):
            raise errors.invalid_parameter(f"Invalid {where}: {shown} is not a finite number.")
        return value
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise errors.invalid_parameter(f"Invalid {where}: '{raw}' is not true or false.")
        return raw.lower() == "true"
    enum = schema.get("enum")
    if enum and raw not in enum:
        raise errors.invalid_parameter(
            f"Invalid {where}: {shown} is not one of {', '.join(enum)}."
        )
    if schema.get("x-oci-ocid") and not is_ocid(raw):
        raise errors.invalid_parameter(f"Invalid {where}: {shown} is not a valid OCID.")
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
    if "limit" in query_out and not 1 <= query_out["limit"] <= limits.MAX_PAGE_SIZE:
        raise errors.invalid_parameter(f"Invalid query parameter 'limit': it must be between 1 and {limits.MAX_PAGE_SIZE}.")
    return path, query_out, header_out


def _prune_nulls(value: Any) -> Any:
    """A JSON ``null`` field means the same as an absent one, as in the real service."""
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) for v in value]
    return value


def _field(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shown(value: Any, width: int = 80) -> str:
    """``value`` as JSON for a message, cut to ``width`` characters (a message never echoes megabytes)."""
    text = json.dumps(value) if not isinstance(value, str) or len(value) <= width else json.dumps(value[:width])
    return text if len(text) <= width else text[: width - 3] + "..."


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
    value = _shown(err.instance)
    kinds = jsonschema_rs.ValidationErrorKind
    if isinstance(kind, kinds.MaxLength):
        return errors.invalid_parameter(f"Invalid value for '{field}': it is longer than {kind.limit} characters.")
    if isinstance(kind, (kinds.MaxItems, kinds.MaxProperties)):
        return errors.invalid_parameter(f"Invalid value for '{field}': it has more than {kind.limit} entries.")
    if isinstance(kind, (kinds.Maximum, kinds.Minimum)):
        return errors.invalid_parameter(
            f"Invalid value {value} for '{field}': it must be {'at most' if isinstance(kind, kinds.Maximum) else 'at least'} {kind.limit}."
        )
    if isinstance(kind, kinds.PropertyNames):
        return errors.invalid_parameter(f"Invalid key in '{field}': {err.message}.")
    if isinstance(kind, kinds.Enum):
        allowed = ", ".join(str(o) for o in kind.options)
        return errors.invalid_parameter(f"Invalid value {value} for '{field}': allowed values are {allowed}.")
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
        return errors.invalid_parameter(f"Invalid value {value} for '{field}': expected {' or '.join(kind.types)}.")
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Pattern):
        return errors.invalid_parameter(f"Invalid value {value} for '{field}': it is not a valid OCID.")
    return errors.invalid_parameter(f"Invalid value {value} for '{field}': {err.message}.")


def read_body(stream: IO[bytes], declared: int | None, limit: int) -> bytes:
    """The request body, read no further than ``limit`` bytes; 413 beyond that."""
    if declared is not None and declared > limit:
        raise errors.too_large(limit)
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise errors.too_large(limit)
    return raw


class _Refused(ValueError):
    """A JSON number the service would not take: reported as such, not as broken JSON."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number the service takes")


def _number(text: str, convert) -> Any:
    if len(text) > limits.MAX_NUMBER_CHARS:
        raise _Refused(f"a number of {len(text)} characters is longer than {limits.MAX_NUMBER_CHARS}")
    value = convert(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused(f"{_shown(text, 40)} is beyond the range of a double")
    if isinstance(value, int) and not limits.INT64[0] <= value <= limits.INT64[1]:
        raise _Refused(f"{_shown(text, 40)} is beyond the range of a 64-bit integer")
    return value


def parse_json(raw: bytes | str) -> Any:
    """A JSON document within the limits of ``limits.py``: 400 CannotParseRequest for anything that
    is not JSON, InvalidParameter for numbers, nesting or text the service would not take."""
    try:
        value = json.loads(
            raw,
            parse_constant=_refuse_constant,
            parse_int=lambda text: _number(text, int),
            parse_float=lambda text: _number(text, float),
        )
    except _Refused as exc:
        raise errors.invalid_parameter(f"Invalid number in the request body: {exc}.") from None
    except RecursionError:
        raise errors.invalid_parameter(f"The request body is nested deeper than {limits.MAX_DEPTH} levels.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.cannot_parse(f"The request body is not valid JSON: {_shown(str(exc), 200)}.") from None
    check_document(value)
    return value


def _is_text(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_document(value: Any, where: str = "the request body") -> None:
    """400 unless ``value`` (parsed JSON) is nested at most ``MAX_DEPTH`` deep and all its text is
    valid Unicode: walked with a stack of its own, so no depth ever costs a Python recursion."""
    stack: list[tuple[Any, tuple, int]] = [(value, (), 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            if depth >= limits.MAX_DEPTH:
                raise errors.invalid_parameter(f"{where.capitalize()} is nested deeper than {limits.MAX_DEPTH} levels.")
            for key, sub in item.items():
                if not _is_text(key):
                    raise errors.invalid_parameter(f"A key in '{_field(path) or where}' is not valid Unicode text.")
                stack.append((sub, path + (key,), depth + 1))
        elif isinstance(item, list):
            if depth >= limits.MAX_DEPTH:
                raise errors.invalid_parameter(f"{where.capitalize()} is nested deeper than {limits.MAX_DEPTH} levels.")
            stack.extend((sub, path + (index,), depth + 1) for index, sub in enumerate(item))
        elif isinstance(item, str) and not _is_text(item):
            raise errors.invalid_parameter(
                f"Invalid value for '{_field(path) or where}': it is not valid Unicode text (a lone surrogate)."
            )


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


def parse_body(spec: "Spec", op: "Operation", raw: bytes, nulls: str = "absent", content_type: str = "") -> Any:
    """The request's body (JSON, a form or raw bytes for operations that take one), validated against the
    operation's schema; ``None`` when the operation takes no body, or takes an optional one and got
    none. ``nulls`` (a surface's): ``absent`` drops JSON null fields before the check, as the OCI
    APIs read them; ``checked`` drops them after it; ``kept`` keeps them."""
    if op.body_schema is None:
        return None
    if op.body_media == "application/octet-stream":
        return raw  # bytes, whatever they are (a sandbox file, possibly empty)
    if not raw.strip():
        if op.body_required:
            raise errors.missing_parameter("The request body is required.")
        return None
    if op.body_media == "multipart/form-data" and content_type.startswith("multipart/"):
        return parse_form(raw, content_type)
    body = parse_json(raw)
    if nulls == "absent":
        body = _prune_nulls(body)
    error = next(spec.body_validator(op).iter_errors(body), None)
    if error is not None:
        raise _error_for(error)
    return _prune_nulls(body) if nulls == "checked" else body


def read_document(path: str | Path, what: str, yaml: bool | None = None) -> Any:
    """The JSON or YAML (``yaml``; by default unless the name ends with ``.json``) document in the
    file ``path`` (``what`` it is, for messages), checked as request bodies are; ValueError with a
    one-line reason for anything else."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None
    return parse_document(raw, f"the {what} {path}", not str(path).endswith(".json") if yaml is None else yaml)


def parse_document(raw: bytes | str, name: str, yaml: bool = False) -> Any:
    """:func:`read_document` for text already read; ``name`` says what it is in messages."""
    try:
        if not yaml:
            return parse_json(raw)
        import yaml as pyyaml

        data = pyyaml.safe_load(raw)
        check_document(data, name)
        return data
    except errors.ServiceError as exc:
        raise ValueError(f"{name} is not valid: {exc.message}") from None
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{name} is not valid {'YAML' if yaml else 'JSON'}: {_shown(str(exc), 200)}") from None
    except Exception as exc:  # noqa: BLE001 - yaml's own errors (yaml is imported only when needed)
        raise ValueError(f"{name} is not valid YAML: {_shown(str(exc), 200)}") from None
