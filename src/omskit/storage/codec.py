"""Stored aggregates to and from JSON-ready data, exactly.

A durable backend keeps each aggregate as one JSON document. [`encode`][] turns an
attrs object into plain data (``dict``, ``list``, ``str``, ``int``, ``bool``, ``None``,
finite ``float``) and [`decode`][] rebuilds the same object from it, driven by the
class's type annotations:

* ``Decimal`` and dates are exact strings (``"12.50"`` keeps its exponent,
  ``"2026-11-24T09:00:00+00:00"`` its offset): never floats;
* tuples, lists, sets, frozensets and dicts come back as the annotated container
  (dicts with other than ``str`` keys are stored as ``[key, value]`` pairs);
* a field typed ``Any`` (an order's quote, its risk assessment) is stored with a small
  type tag (``{"$": "attrs", "t": "omskit.money:Money", "v": {...}}``) so it comes back
  as the object it was;
* decoding does not call ``__init__``: validators and converters already ran when the
  object was made, and a stored row must load even after a validator has been tightened.
  A field missing from the stored data (added to the class later) takes its default.

Each class's encoder and decoder are built once from its annotations and cached.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import json
import math
import threading
import types
import typing
from collections.abc import Callable, Hashable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from omskit.storage.errors import CodecError

__all__ = ["decode", "dumps", "encode", "key_text", "loads"]

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]

_encoders: dict[Any, Encoder] = {}
_decoders: dict[Any, Decoder] = {}
_lock = threading.RLock()


def encode(value: Any, tp: Any = None) -> Any:
    """``value`` as JSON-ready data; ``tp`` is its declared type (default: its class)."""
    return encoder(type(value) if tp is None else tp)(value)


def decode(tp: Any, data: Any) -> Any:
    """The object of type ``tp`` that [`encode`][] turned into ``data``."""
    return decoder(tp)(data)


def dumps(value: Any, tp: Any = None) -> str:
    """``value`` as compact JSON text."""
    return json.dumps(encode(value, tp), ensure_ascii=False, separators=(",", ":"))


def loads(tp: Any, text: str | bytes) -> Any:
    """The object of type ``tp`` stored as JSON ``text`` by [`dumps`][]."""
    return decode(tp, json.loads(text))


def key_text(value: Hashable) -> str:
    """A unique-key or index value as the text a SQL column holds.

    Text stays itself (the common case, and readable in the database); any other value
    (a tuple, a date, a bool) is its tagged JSON form, so equal values give equal text.
    """
    if type(value) is str:
        return value
    return json.dumps(_encode_any(value), ensure_ascii=False, separators=(",", ":"))


# -- building encoders and decoders -------------------------------------------------


def encoder(tp: Any) -> Encoder:
    """The cached encoder for type ``tp``."""
    try:
        return _encoders[tp]
    except (KeyError, TypeError):
        return _cached(tp, _encoders, _pending_encoders, _build_encoder)


def decoder(tp: Any) -> Decoder:
    """The cached decoder for type ``tp``."""
    try:
        return _decoders[tp]
    except (KeyError, TypeError):
        return _cached(tp, _decoders, _pending_decoders, _build_decoder)


# Built under the lock and published to the tables above only when the outermost build
# ends: another thread reads the tables without the lock, so it must never find a
# half-built entry (a class that contains itself starts as a placeholder).
_pending_encoders: dict[Any, Encoder] = {}
_pending_decoders: dict[Any, Decoder] = {}


def _cached(
    tp: Any,
    table: dict[Any, Callable[[Any], Any]],
    pending: dict[Any, Callable[[Any], Any]],
    build: Callable[[Any], Callable[[Any], Any]],
) -> Callable[[Any], Any]:
    with _lock:
        try:
            return table.get(tp) or pending[tp]
        except KeyError:
            pass
        except TypeError:  # an unhashable annotation: build, do not cache
            return build(tp)
        outermost = not pending
        try:
            if attrs.has(tp) and isinstance(tp, type):
                holder: list[Callable[[Any], Any]] = []
                pending[tp] = lambda v: holder[0](v)  # noqa: PLW0108 - bound below
                built = build(tp)
                holder.append(built)
            else:
                built = build(tp)
            pending[tp] = built
            if outermost:
                table.update(pending)
        finally:
            if outermost:
                pending.clear()
        return built


def _identity(value: Any) -> Any:
    return value


def _encode_float(value: float) -> Any:
    return value if math.isfinite(value) else repr(value)


def _decode_float(data: Any) -> float:
    return float(data)


def _encode_decimal(value: Decimal) -> str:
    return str(value)


def _decode_datetime(data: str) -> dt.datetime:
    return dt.datetime.fromisoformat(data)


def _decode_date(data: str) -> dt.date:
    return dt.date.fromisoformat(data)


def _encode_isoformat(value: dt.date) -> str:
    return value.isoformat()


_SCALAR_ENCODERS: dict[Any, Encoder] = {
    str: _identity,
    int: _identity,
    bool: _identity,
    type(None): _identity,
    float: _encode_float,
    Decimal: _encode_decimal,
    dt.datetime: _encode_isoformat,
    dt.date: _encode_isoformat,
}
_SCALAR_DECODERS: dict[Any, Decoder] = {
    str: _identity,
    int: _identity,
    bool: _identity,
    type(None): _identity,
    float: _decode_float,
    Decimal: Decimal,
    dt.datetime: _decode_datetime,
    dt.date: _decode_date,
}


def _optional_member(tp: Any) -> Any | None:
    """``X`` for ``X | None``, else ``None``."""
    args = typing.get_args(tp)
    if type(None) in args and len(args) == 2:
        return next(a for a in args if a is not type(None))
    return None


def _is_union(origin: Any) -> bool:
    return origin is typing.Union or origin is types.UnionType


def _build_encoder(tp: Any) -> Encoder:  # noqa: PLR0911 - one return per kind of type
    if tp in _SCALAR_ENCODERS:
        return _SCALAR_ENCODERS[tp]
    if tp is Any or tp is object:
        return _encode_any
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return _identity
    if _is_union(origin):
        inner = _optional_member(tp)
        if inner is None:
            return _encode_any  # a wider union: each value says what it is
        enc = encoder(inner)
        return lambda v: None if v is None else enc(v)
    if origin in (tuple, list, set, frozenset, Sequence) or tp in (tuple, list, set, frozenset):
        return _sequence_encoder(origin or tp, args)
    if origin in (dict, Mapping) or tp is dict:
        key_type, value_type = args or (Any, Any)
        enc_k, enc_v = encoder(key_type), encoder(value_type)
        if key_type is str:
            return lambda v: {k: enc_v(x) for k, x in v.items()}
        return lambda v: [[enc_k(k), enc_v(x)] for k, x in v.items()]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return lambda v: v.value
    if isinstance(tp, type) and attrs.has(tp):
        return _attrs_encoder(tp)
    return _encode_any  # a Protocol, a TypeVar, a class we do not know: by value


def _sequence_encoder(origin: Any, args: tuple[Any, ...]) -> Encoder:
    if origin is tuple and args and args[-1] is not Ellipsis:
        encs = [encoder(a) for a in args]
        return lambda v: [e(x) for e, x in zip(encs, v, strict=True)]
    enc = encoder(args[0] if args else Any)
    if origin in (set, frozenset):
        return lambda v: sorted((enc(x) for x in v), key=_sort_key)
    return lambda v: [enc(x) for x in v]


def _sort_key(data: Any) -> str:
    return json.dumps(data, sort_keys=True)


def _build_decoder(tp: Any) -> Decoder:  # noqa: PLR0911 - one return per kind of type
    if tp in _SCALAR_DECODERS:
        return _SCALAR_DECODERS[tp]
    if tp is Any or tp is object:
        return _decode_any
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return _identity
    if _is_union(origin):
        inner = _optional_member(tp)
        if inner is None:
            return _decode_any
        dec = decoder(inner)
        return lambda d: None if d is None else dec(d)
    if origin in (tuple, list, set, frozenset, Sequence) or tp in (tuple, list, set, frozenset):
        return _sequence_decoder(origin or tp, args)
    if origin in (dict, Mapping) or tp is dict:
        key_type, value_type = args or (Any, Any)
        dec_k, dec_v = decoder(key_type), decoder(value_type)
        if key_type is str:
            return lambda d: {k: dec_v(x) for k, x in d.items()}
        return lambda d: {dec_k(k): dec_v(x) for k, x in d}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if isinstance(tp, type) and attrs.has(tp):
        return _attrs_decoder(tp)
    return _decode_any


def _sequence_decoder(origin: Any, args: tuple[Any, ...]) -> Decoder:
    if origin is tuple and args and args[-1] is not Ellipsis:
        decs = [decoder(a) for a in args]
        return lambda d: tuple(f(x) for f, x in zip(decs, d, strict=True))
    dec = decoder(args[0] if args else Any)
    make: Callable[[Any], Any] = {
        tuple: tuple,
        set: set,
        frozenset: frozenset,
        Sequence: tuple,
    }.get(origin, list)
    return lambda d: make([dec(x) for x in d])


# -- attrs classes ------------------------------------------------------------------


def _stored_fields(cls: type) -> list[attrs.Attribute[Any]]:
    """Every field of ``cls`` but an aggregate's pending events, with resolved types."""
    try:
        attrs.resolve_types(cls)
    except NameError as exc:  # an annotation only importable under TYPE_CHECKING
        raise CodecError(
            f"cannot store {cls.__module__}.{cls.__qualname__}: annotation {exc.name!r} does "
            "not resolve at run time; import it outside TYPE_CHECKING or type it Any"
        ) from exc
    return [f for f in attrs.fields(cls) if f.name != "_events"]


def _attrs_encoder(cls: type) -> Encoder:
    """An encoder compiled for ``cls``: one dict display, identity fields read directly."""
    namespace: dict[str, Any] = {}
    items = []
    for i, f in enumerate(_stored_fields(cls)):
        enc = encoder(f.type)
        if enc is _identity:
            items.append(f"{f.name!r}: o.{f.name}")
        else:
            namespace[f"e{i}"] = enc
            items.append(f"{f.name!r}: e{i}(o.{f.name})")
    source = f"def encode_attrs(o):\n    return {{{', '.join(items)}}}\n"
    code = compile(source, f"<omskit codec: encode {cls.__qualname__}>", "exec")
    exec(code, namespace)  # noqa: S102 - source built from the class's own field names
    compiled: Encoder = namespace["encode_attrs"]
    return compiled


def _attrs_decoder(cls: type) -> Decoder:
    """A decoder compiled for ``cls``: no ``__init__``, every field set directly."""
    fields = _stored_fields(cls)
    plan = [(f.name, decoder(f.type), f.default) for f in fields]
    has_events = any(f.name == "_events" for f in attrs.fields(cls))
    namespace: dict[str, Any] = {"new": object.__new__, "put": object.__setattr__, "cls": cls}
    lines = ["def decode_attrs(d):", "    o = new(cls)"]
    for i, (name, dec, _) in enumerate(plan):
        if dec is _identity:
            lines.append(f"    put(o, {name!r}, d[{name!r}])")
        else:
            namespace[f"d{i}"] = dec
            lines.append(f"    put(o, {name!r}, d{i}(d[{name!r}]))")
    if has_events:
        lines.append("    put(o, '_events', [])")
    lines.append("    return o")
    exec(  # noqa: S102 - source built from the class's own field names
        compile("\n".join(lines) + "\n", f"<omskit codec: decode {cls.__qualname__}>", "exec"),
        namespace,
    )
    fast: Decoder = namespace["decode_attrs"]
    new = object.__new__
    put = object.__setattr__

    def decode_slowly(data: Mapping[str, Any]) -> Any:
        """Field by field, giving missing fields (added to the class later) their default."""
        obj: Any = new(cls)
        for name, dec, default in plan:
            try:
                raw = data[name]
            except KeyError:
                put(obj, name, _default(cls, name, default, obj))
                continue
            put(obj, name, dec(raw))
        if has_events:
            put(obj, "_events", [])
        return obj

    def decode_attrs(data: Mapping[str, Any]) -> Any:
        try:
            return fast(data)
        except KeyError:
            return decode_slowly(data)

    return decode_attrs


def _default(cls: type, name: str, default: Any, obj: Any) -> Any:
    if default is attrs.NOTHING:
        raise CodecError(f"stored {cls.__qualname__} has no {name!r} and the field has no default")
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        factory: Any = default.factory
        return factory(obj) if default.takes_self else factory()
    return default


# -- values of undeclared type (Any) ---------------------------------------------------


# Classes this process has stored, by name: found again without importing (a class
# made by a host at run time, in a notebook or a test, has no importable module).
_known: dict[str, type] = {}


def _class_name(cls: type) -> str:
    name = f"{cls.__module__}:{cls.__qualname__}"
    _known[name] = cls
    return name


def _find_class(name: str) -> type:
    known = _known.get(name)
    if known is not None:
        return known
    module, _, qualname = name.partition(":")
    try:
        found: Any = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise CodecError(f"stored data names class {name!r}, which cannot be imported") from exc
    if not isinstance(found, type):
        raise CodecError(f"stored data names {name!r}, which is not a class")
    return found


def _encode_any(value: Any) -> Any:  # noqa: PLR0911 - one return per kind of value
    kind = type(value)
    if kind in (str, int, bool) or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if kind is list:
        return [_encode_any(x) for x in value]
    if kind is tuple:
        return {"$": "tuple", "v": [_encode_any(x) for x in value]}
    if kind is dict:
        return {"$": "dict", "v": [[_encode_any(k), _encode_any(x)] for k, x in value.items()]}
    if kind in (set, frozenset):
        items = sorted((_encode_any(x) for x in value), key=_sort_key)
        return {"$": kind.__name__, "v": items}
    if kind is Decimal:
        return {"$": "decimal", "v": str(value)}
    if kind is dt.datetime:
        return {"$": "datetime", "v": value.isoformat()}
    if kind is dt.date:
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, enum.Enum):
        return {"$": "enum", "t": _class_name(kind), "v": value.value}
    if attrs.has(kind):
        return {"$": "attrs", "t": _class_name(kind), "v": encoder(kind)(value)}
    raise CodecError(
        f"cannot store a value of type {kind.__module__}.{kind.__qualname__} ({value!r:.80}); "
        "storable values are text, numbers, bools, None, Decimal, dates, containers of "
        "them and attrs classes"
    )


_TAGGED: dict[str, Callable[[Any], Any]] = {
    "float": float,
    "tuple": lambda v: tuple(_decode_any(x) for x in v),
    "dict": lambda v: {_decode_any(k): _decode_any(x) for k, x in v},
    "set": lambda v: {_decode_any(x) for x in v},
    "frozenset": lambda v: frozenset(_decode_any(x) for x in v),
    "decimal": Decimal,
    "datetime": _decode_datetime,
    "date": _decode_date,
}


def _decode_any(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode_any(x) for x in data]
    if not isinstance(data, dict):
        return data
    tag = data.get("$")
    if tag == "attrs":
        return decoder(_find_class(data["t"]))(data["v"])
    if tag == "enum":
        return _find_class(data["t"])(data["v"])
    try:
        return _TAGGED[str(tag)](data["v"])
    except KeyError:
        raise CodecError(f"stored value {data!r:.80} has no known type tag") from None
