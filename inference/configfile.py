"""Load a YAML configuration file into a pydantic model, or fail with one line: file, field, value."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from inference.errors import ConfigError

ModelT = TypeVar("ModelT", bound=BaseModel)


class _StrictBoolLoader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. YAML 1.1 also reads yes/no/on/off, so that Norway's
    country code `NO` would silently become `False`."""


_StrictBoolLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictBoolLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

_MAX_SHOWN = 60


def field_path(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as `limits.max_request_bytes` or `files[2].sha256`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def shown_value(value: Any) -> str:
    """A short rendering of an offending configuration value."""
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def first_error(error: ValidationError) -> tuple[str, str]:
    """The field path and a message of the most telling validation error, with the offending value.

    A misspelt field shows up twice, as unknown and as missing; the unknown one is reported, with
    the missing one as the suggested spelling.
    """
    details = error.errors(include_url=False)
    detail = next((d for d in details if d["type"] == "extra_forbidden"), details[0])
    path = field_path(tuple(detail["loc"]))
    message = str(detail["msg"]).removeprefix("Value error, ")
    kind = detail["type"]
    if kind == "extra_forbidden":
        parent, name = tuple(detail["loc"][:-1]), str(detail["loc"][-1])
        missing = [
            str(d["loc"][-1]) for d in details if d["type"] == "missing" and tuple(d["loc"][:-1]) == parent
        ]
        close = difflib.get_close_matches(name, missing, n=1)
        message = f"unknown field (did you mean {close[0]!r}?)" if close else "unknown field"
    elif kind == "missing":
        message = "required field is missing"
    else:
        message = f"{message} (got {shown_value(detail['input'])})"
    return path, message


def read_yaml(path: Path, shown_as: str) -> Any:
    """Parse a YAML file; syntax errors become a `ConfigError` with line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(shown_as, None, f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(shown_as, None, "file is not valid UTF-8") from None
    try:
        return yaml.load(text, Loader=_StrictBoolLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(shown_as, None, f"{where}invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(shown_as, None, f"invalid YAML: {exc}") from None


def validate_mapping(
    data: Any,
    model: type[ModelT],
    shown_as: str,
    describe: Callable[[ValidationError], tuple[str, str]] = first_error,
) -> ModelT:
    """Validate parsed YAML as `model`, raising `ConfigError` with one clear line; `describe` picks the
    field and message of a validation error (a file holding secrets hides their values)."""
    if data is None:
        raise ConfigError(shown_as, None, "file is empty")
    if not isinstance(data, dict):
        raise ConfigError(
            shown_as, None, f"expected a mapping of fields at the top level, got {type(data).__name__}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, message = describe(exc)
        raise ConfigError(shown_as, field or None, message) from None


def load_model(path: Path, model: type[ModelT], shown_as: str) -> ModelT:
    """Read `path` as YAML and validate it as `model`, raising `ConfigError` with one clear line."""
    return validate_mapping(read_yaml(path, shown_as), model, shown_as)
