"""The platforms' documented request schemas, and the check every outbound payload passes.

Each ``*.json`` file beside this module is a JSON Schema (draft 2020-12 keywords) for one
request body a platform documents; its ``$comment`` names the API reference page the
field names, types and required lists were read from. Every outbound builder
(channel updates, QuickBooks and Xero documents, Stripe and EasyPost requests) checks
the body it built with [`validate_payload`][omskit.integrations.schemas.validate_payload]
before anything reaches the host's transport, so a payload the platform would refuse
never leaves omskit; the error names the JSON path and the rule broken.

The checker is omskit's own and covers the subset of JSON Schema these files use:
``type``, ``properties``, ``required``, ``additionalProperties``, ``items``,
``minItems``, ``maxItems``, ``enum``, ``const``, ``pattern``, ``minLength``,
``maxLength``, ``minimum``, ``maximum``, ``exclusiveMinimum`` and local ``$ref``
(``#/$defs/...``). A schema using any other keyword is refused when it is loaded, so a
rule is never silently skipped. Numbers are ``int`` or exact ``Decimal`` (``bool`` is
not a number); a number is an ``integer`` when it has no fraction.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any

from omskit.errors import Problem, ValidationError, shown

__all__ = ["PayloadInvalid", "load_schema", "schema_names", "validate_payload"]

_RULES = frozenset({
    "type", "properties", "required", "additionalProperties", "items", "minItems",
    "maxItems", "enum", "const", "pattern", "minLength", "maxLength", "minimum",
    "maximum", "exclusiveMinimum", "$ref",
})  # fmt: skip
_NOTES = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "examples"})


class PayloadInvalid(ValidationError):
    """A built payload breaks its platform's documented schema; nothing was sent.

    A [`ValidationError`][omskit.errors.ValidationError] whose ``field`` is the JSON path
    of the first violation (``fulfillment.tracking_info.number``).

    Attributes:
        schema: the schema's name (``"shopify.fulfillment"``).
        path: the JSON path of the first violation (``""`` for the whole payload).
        rule: the schema keyword broken (``"required"``, ``"type"``, ``"enum"``...).
    """

    def __init__(self, schema: str, path: str, rule: str, value: Any, allowed: str, *,
                 problems: Sequence[Problem] | None = None) -> None:  # fmt: skip
        self.schema = schema
        self.path = path
        self.rule = rule
        super().__init__(
            path or "payload",
            value,
            f"{schema} schema, rule {rule!r}: {allowed}",
            problems=problems,
        )


def schema_names() -> tuple[str, ...]:
    """The names of the schemas shipped (file names without ``.json``), sorted."""
    files = resources.files(__name__).iterdir()
    return tuple(sorted(f.name[:-5] for f in files if f.name.endswith(".json")))


@functools.cache
def load_schema(name: str) -> Mapping[str, Any]:
    """The schema ``name`` (``"shopify.fulfillment"``), checked to use known keywords only.

    Raises:
        ValidationError: no such schema.
        ValueError: the schema uses a keyword the checker does not implement.
    """
    if name not in schema_names():
        raise ValidationError("schema", name, f"one of {', '.join(schema_names())}")
    schema = json.loads(resources.files(__name__).joinpath(f"{name}.json").read_text("utf-8"))
    _check_keywords(schema, name, "#")
    return schema  # type: ignore[no-any-return]


def _check_keywords(node: Any, name: str, where: str) -> None:
    if not isinstance(node, Mapping):
        raise ValueError(f"schema {name} at {where}: a schema must be an object")
    unknown = set(node) - _RULES - _NOTES
    if unknown:
        raise ValueError(f"schema {name} at {where}: unsupported keywords {sorted(unknown)}")
    for key in ("properties", "$defs"):
        for prop, sub in node.get(key, {}).items():
            _check_keywords(sub, name, f"{where}/{key}/{prop}")
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), Mapping):
            _check_keywords(node[key], name, f"{where}/{key}")


def validate_payload(payload: Any, name: str) -> None:
    """Check ``payload`` against schema ``name``; return quietly when it conforms.

    Every violation is collected; the error's ``field`` is the first one's path.

    Raises:
        PayloadInvalid: the payload breaks the schema (all problems listed).
    """
    schema = load_schema(name)
    found = list(_violations(payload, schema, schema, ""))
    if found:
        path, rule, value, allowed = found[0]
        problems = [Problem(p or "payload", f"got {shown(v)}; {name} schema, rule {r!r}: {a}", v)
                    for p, r, v, a in found] if len(found) > 1 else None  # fmt: skip
        raise PayloadInvalid(name, path, rule, value, allowed, problems=problems)


_Violation = tuple[str, str, Any, str]


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "integer":
        return _is_number(value) and value == int(value)
    checks: dict[str, Any] = {
        "string": lambda v: isinstance(v, str),
        "number": _is_number,
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "object": lambda v: isinstance(v, Mapping),
        "array": lambda v: isinstance(v, list | tuple),
    }
    return bool(checks[kind](value))


def _violations(value: Any, node: Mapping[str, Any], root: Mapping[str, Any],
                path: str) -> Iterator[_Violation]:  # fmt: skip
    if "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            raise ValueError(f"only local '#/$defs/...' references are supported, not {ref!r}")
        yield from _violations(value, root["$defs"][ref[len("#/$defs/") :]], root, path)
    kinds = node.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_type_ok(value, k) for k in allowed):
            yield path, "type", value, f"expected {' or '.join(allowed)}"
            return
    if "const" in node and value != node["const"]:
        yield path, "const", value, f"must be {node['const']!r}"
    if "enum" in node and value not in node["enum"]:
        yield path, "enum", value, f"one of {', '.join(map(repr, node['enum']))}"
    if isinstance(value, str):
        yield from _string(value, node, path)
    if _is_number(value):
        yield from _number(value, node, path)
    if isinstance(value, Mapping):
        yield from _object(value, node, root, path)
    if isinstance(value, list | tuple):
        if "minItems" in node and len(value) < node["minItems"]:
            yield path, "minItems", value, f"at least {node['minItems']} entries"
        if "maxItems" in node and len(value) > node["maxItems"]:
            yield path, "maxItems", f"{len(value)} entries", f"at most {node['maxItems']}"
        if isinstance(node.get("items"), Mapping):
            for i, item in enumerate(value):
                yield from _violations(item, node["items"], root, _join(path, i))


def _string(value: str, node: Mapping[str, Any], path: str) -> Iterator[_Violation]:
    if "minLength" in node and len(value) < node["minLength"]:
        yield path, "minLength", value, f"at least {node['minLength']} characters"
    if "maxLength" in node and len(value) > node["maxLength"]:
        yield path, "maxLength", value, f"at most {node['maxLength']} characters"
    if "pattern" in node and not re.search(node["pattern"], value):
        yield path, "pattern", value, f"must match {node['pattern']!r}"


def _number(value: int | Decimal, node: Mapping[str, Any], path: str) -> Iterator[_Violation]:
    if "minimum" in node and value < Decimal(str(node["minimum"])):
        yield path, "minimum", value, f"at least {node['minimum']}"
    if "exclusiveMinimum" in node and value <= Decimal(str(node["exclusiveMinimum"])):
        yield path, "exclusiveMinimum", value, f"more than {node['exclusiveMinimum']}"
    if "maximum" in node and value > Decimal(str(node["maximum"])):
        yield path, "maximum", value, f"at most {node['maximum']}"


def _object(value: Mapping[str, Any], node: Mapping[str, Any], root: Mapping[str, Any],
            path: str) -> Iterator[_Violation]:  # fmt: skip
    for key in node.get("required", ()):
        if key not in value:
            yield _join(path, key), "required", None, "a value is required"
    properties: Mapping[str, Any] = node.get("properties", {})
    extra = node.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            yield from _violations(item, properties[key], root, _join(path, key))
        elif extra is False:
            known = ", ".join(sorted(properties)) or "none"
            yield _join(path, key), "additionalProperties", item, f"not documented; known: {known}"
        elif isinstance(extra, Mapping):
            yield from _violations(item, extra, root, _join(path, key))
