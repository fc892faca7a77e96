"""One canonical JSON form for every domain record, with a version label.

A record is a frozen dataclass with a class attribute ``SCHEMA`` such as ``"ConsentGrant.1"``.
``to_plain`` turns it into JSON-ready data (the label under ``"schema"``); ``from_plain`` reads it back
and refuses a label it does not know, so an old reader never misreads a newer record.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")


def new_id(prefix: str) -> str:
    """A fresh record id such as ``tal_3f9a1c0e5b7d4e21``."""
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_plain(value: Any) -> Any:
    """JSON-ready data for a record, enum, datetime, Decimal or container of them."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        plain = {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        schema = getattr(type(value), "SCHEMA", None)
        return {"schema": schema, **plain} if schema else plain
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def canonical_json(value: Any) -> str:
    """The one text form used for hashing and storage: sorted keys, no spaces, UTF-8."""
    return json.dumps(to_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_plain(cls: type[T], data: Any) -> T:
    """Read a record of type ``cls`` from ``to_plain`` output.

    Raises:
        ValueError: the data carries another schema label or lacks a required field.
    """
    return _read(cls, data)


def _read(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _read(inner[0], data)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], v) for v in data)
        return tuple(_read(a, v) for a, v in zip(args, data, strict=True))
    if origin is dict:
        return dict(data)
    if dataclasses.is_dataclass(tp):
        return _read_record(tp, data)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if tp is datetime:
        return datetime.fromisoformat(data.replace("Z", "+00:00"))
    if tp is Decimal:
        return Decimal(data)
    if tp is float:
        return float(data)
    return data


def _read_record(cls: Any, data: dict) -> Any:
    schema = getattr(cls, "SCHEMA", None)
    if schema and data.get("schema") != schema:
        raise ValueError(f"expected a {schema} record, got {data.get('schema')!r}")
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _read(hints[f.name], data[f.name])
    return cls(**kwargs)
