"""Typed event payloads: one definition per event of what its `data` holds.

Every domain's events module declares an `EventType` for each event it publishes, with the
payload written as a `TypedDict`, and lists them in a module-level `EVENT_TYPES` tuple.
The shell gathers those tuples into the AsyncAPI document of the event stream, and tests
check every published payload against its type with `problems()`, so the document cannot
drift from what the sockets carry.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict


@dataclass(frozen=True)
class EventType:
    """One event of the stream: its wire name, the topics it goes to and its payload."""

    name: str  # as on the wire: "grade.updated"
    summary: str  # one sentence for the AsyncAPI document
    payload: type  # a TypedDict: the `data` of one audience's frame
    topics: tuple[str, ...]  # topic patterns as clients name them: "user:me", "thread:<id>"


def json_schema(tp: Any) -> dict[str, Any]:
    """The JSON Schema of a payload type (TypedDict, list, dict, Literal, optional, scalar)."""
    if tp is Any:
        return {}
    if tp is type(None):
        return {"type": "null"}
    scalars = {bool: "boolean", int: "integer", float: "number", str: "string"}
    if tp in scalars:
        return {"type": scalars[tp]}
    if is_typeddict(tp):
        hints = get_type_hints(tp)
        return {
            "type": "object",
            "title": tp.__name__,
            "properties": {key: json_schema(value) for key, value in hints.items()},
            "required": sorted(tp.__required_keys__),
        }
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (Union, types.UnionType):
        return {"anyOf": [json_schema(arg) for arg in args]}
    if origin is list:
        return {"type": "array", "items": json_schema(args[0]) if args else {}}
    if origin is dict:
        return {"type": "object", "additionalProperties": json_schema(args[1]) if args else {}}
    if origin in (typing.Required, typing.NotRequired):
        return json_schema(args[0])
    raise TypeError(f"no JSON Schema for {tp!r}")


def problems(tp: Any, value: Any, where: str = "data") -> list[str]:
    """Where `value` does not fit `tp`, one message per mismatch; empty when it fits."""
    if tp is Any:
        return []
    if tp is type(None):
        return [] if value is None else [f"{where}: expected null, got {value!r}"]
    if tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{where}: expected a number, got {value!r}"]
    if tp in (bool, int, str):
        ok = isinstance(value, tp) and (tp is bool or not isinstance(value, bool))
        return [] if ok else [f"{where}: expected {tp.__name__}, got {value!r}"]
    if is_typeddict(tp):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        hints = get_type_hints(tp)
        found = [f"{where}.{key}: missing" for key in sorted(tp.__required_keys__)
                 if key not in value]
        found += [f"{where}.{key}: not in {tp.__name__}" for key in value if key not in hints]
        for key, item in value.items():
            if key in hints:
                found += problems(hints[key], item, f"{where}.{key}")
        return found
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return [] if value in args else [f"{where}: {value!r} is not one of {list(args)}"]
    if origin in (Union, types.UnionType):
        if any(not problems(arg, value, where) for arg in args):
            return []
        return [f"{where}: {value!r} fits none of {tp}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {value!r}"]
        return [p for i, item in enumerate(value) for p in problems(args[0], item, f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        return [p for key, item in value.items() for p in problems(args[1], item, f"{where}.{key}")]
    if origin in (typing.Required, typing.NotRequired):
        return problems(args[0], value, where)
    raise TypeError(f"cannot check {tp!r}")
