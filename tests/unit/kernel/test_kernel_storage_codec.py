"""The storage codec: every stored aggregate type round-trips exactly through JSON."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import math
import pkgutil
import types
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import omskit
from omskit.money import Money
from omskit.orders.storage import ORDERS
from omskit.storage import codec
from omskit.storage.errors import CodecError
from omskit.storage.ports import Collection


def _collections() -> list[Collection[Any]]:
    found: dict[str, Collection[Any]] = {}
    for info in pkgutil.walk_packages(omskit.__path__, "omskit."):
        if info.name.startswith("omskit.plugins.builtin."):  # deprecated aliases: they warn
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an adapter whose optional extra is not installed
            continue
        for value in vars(module).values():
            if isinstance(value, Collection):
                found.setdefault(value.name, value)
    return sorted(found.values(), key=lambda c: c.name)


COLLECTIONS = _collections()

ZONES = st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=-5, minutes=-30))])
DECIMALS = st.decimals(allow_nan=False) | st.sampled_from(
    [Decimal("1.10"), Decimal("-0.00"), Decimal("1E+3"), Decimal("0.000000001")]
)
ANY_VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    DECIMALS,
    st.builds(Money, st.decimals("-1000", "1000", places=2), st.just("EUR")),
    st.tuples(st.integers(), st.text(max_size=3)),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def values_of(tp: Any) -> st.SearchStrategy[Any]:  # noqa: PLR0911 - one per kind of type
    """Any value the annotation ``tp`` allows (validators aside: the codec stores state)."""
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=8),
        int: st.integers(),
        bool: st.booleans(),
        float: st.floats(allow_nan=False),
        Decimal: DECIMALS,
        dt.datetime: st.datetimes(timezones=ZONES),
        dt.date: st.dates(),
        type(None): st.none(),
    }
    if tp in simple:
        return simple[tp]
    if tp is Any or tp is object:
        return ANY_VALUES
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is typing.Union or origin is types.UnionType:
        return st.one_of([values_of(a) for a in args])
    if origin is tuple:
        if args and args[-1] is Ellipsis:
            return st.lists(values_of(args[0]), max_size=3).map(tuple)
        return st.tuples(*(values_of(a) for a in args))
    if origin in (list, Sequence):
        return st.lists(values_of(args[0]), max_size=3)
    if origin in (frozenset, set):
        return st.frozensets(values_of(args[0]), max_size=3).map(origin)
    if origin in (dict, Mapping):
        return st.dictionaries(values_of(args[0]), values_of(args[1]), max_size=3)
    if isinstance(tp, type) and attrs.has(tp):
        return instances(tp)
    raise AssertionError(f"no strategy for {tp!r}: teach the test this stored type")


def instances(cls: type) -> st.SearchStrategy[Any]:
    """Objects of ``cls`` with every stored field drawn from its annotation."""
    attrs.resolve_types(cls)
    fields = [f for f in attrs.fields(cls) if f.name != "_events"]

    def build(values: dict[str, Any]) -> Any:
        obj = object.__new__(cls)
        for name, value in values.items():
            object.__setattr__(obj, name, value)
        if "_events" in attrs.fields_dict(cls):
            object.__setattr__(obj, "_events", [])
        return obj

    return st.fixed_dictionaries(
        {f.name: st.deferred(lambda t=f.type: values_of(t)) for f in fields}
    ).map(build)


def same(a: Any, b: Any, path: str = "") -> None:
    """``a`` and ``b`` are the same value, down to types and Decimal exponents."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, Decimal):
        assert str(a) == str(b), path
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or a == b, path
    elif isinstance(a, dt.datetime):
        assert (a, a.utcoffset()) == (b, b.utcoffset()), path
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            same(a[key], b[key], f"{path}[{key!r}]")
    elif attrs.has(type(a)):
        for f in attrs.fields(type(a)):
            same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    else:
        assert a == b, path


def test_every_collection_in_the_package_is_found() -> None:
    names = {c.name for c in COLLECTIONS}
    assert {"orders", "stock_levels", "stock_movements", "payments", "products"} <= names
    assert len(COLLECTIONS) >= 24


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.name)
@given(data=st.data())
def test_every_stored_aggregate_type_round_trips_exactly(
    collection: Collection[Any], data: st.DataObject
) -> None:
    aggregate = data.draw(instances(collection.kind))
    text = codec.dumps(aggregate)
    stored = json.loads(text)  # plain JSON: no float stands for a Decimal or a date
    # no Decimal repr leaked in ("Decimal('" is longer than any text the strategies draw,
    # so a drawn string like "Decimal" cannot trip this)
    assert "Decimal('" not in text
    back = codec.loads(collection.kind, text)
    same(aggregate, back)
    assert back._events == []
    assert codec.encode(back) == stored


@given(DECIMALS)
def test_decimals_are_stored_as_exact_strings(amount: Decimal) -> None:
    text = codec.encode(amount)
    assert isinstance(text, str)
    assert str(Decimal(text)) == str(amount)
    assert codec.encode(Money("0.10", "EUR")) == {"amount": "0.10", "currency": "EUR"}


def test_a_value_typed_any_comes_back_as_the_object_it_was(oms: omskit.OMS) -> None:
    value = {"total": Money("12.50", "EUR"), "at": dt.date(2026, 1, 2), "n": (1, 2.5)}
    data = codec.encode(value, Any)
    assert json.loads(json.dumps(data)) == data
    same(codec.decode(Any, data), value)


def test_a_field_added_later_takes_its_default_when_old_data_loads() -> None:
    @attrs.define
    class Later:
        name: str
        tags: list[str] = attrs.field(factory=list)
        level: int = 3

    back = codec.decode(Later, {"name": "x"})
    assert (back.name, back.tags, back.level) == ("x", [], 3)
    with pytest.raises(CodecError, match="'name'"):
        codec.decode(Later, {})


def test_an_unstorable_value_is_refused_with_its_type() -> None:
    with pytest.raises(CodecError, match=r"cannot store a value of type builtins\.object"):
        codec.encode(object(), Any)
    with pytest.raises(CodecError, match="no known type tag"):
        codec.decode(Any, {"$": "pickle", "v": ""})
    with pytest.raises(CodecError, match="cannot be imported"):
        codec.decode(Any, {"$": "attrs", "t": "omskit.nowhere:Thing", "v": {}})


def test_key_text_is_the_text_itself_or_tagged_json() -> None:
    assert codec.key_text("web") == "web"
    assert codec.key_text(("web", "A-1")) == '{"$":"tuple","v":["web","A-1"]}'
    assert codec.key_text(True) == "true"
    assert codec.key_text(dt.date(2026, 1, 2)) == '{"$":"date","v":"2026-01-02"}'
    assert codec.key_text(("web", "1")) != codec.key_text(("web", 1))


def test_a_captured_order_round_trips_with_its_quote_and_risk(oms: omskit.OMS) -> None:
    oms.catalog.add_product("TEE-M", name="T-shirt", price="19.90", currency="EUR")
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    oms.inventory.receive("TEE-M", location="BER", quantity=5)
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": "W-1",
            "customer": {"email": "dana@example.com", "name": "Dana Levi"},
            "ship_to": {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                        "postal_code": "10115"},
            "lines": [{"sku": "TEE-M", "quantity": 2}],
        }
    )  # fmt: skip
    assert order.quote is not None
    assert order.risk is not None
    with oms.runtime.storage.unit_of_work() as uow:
        stored = uow.repo(ORDERS).get(order.id)
    back = codec.loads(ORDERS.kind, codec.dumps(stored))
    same(stored, back)


def test_threads_building_the_same_codec_at_once_never_see_it_half_built() -> None:
    """A decoder is cached only once whole: a thread reading the cache without the lock
    while another builds a self-containing class's codec used to get the placeholder and
    fail with ``IndexError`` (seen in the store-credit race on SQLite)."""
    import sys
    import threading

    import attrs as attrs_

    failures: list[BaseException] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so the builds interleave
    try:
        _race_codec_builds(attrs_, threading, failures)
    finally:
        sys.setswitchinterval(interval)
    assert not failures, failures[:3]


def _race_codec_builds(attrs_: Any, threading: Any, failures: list[BaseException]) -> None:
    for round_ in range(30):

        @attrs_.frozen
        class Node:
            name: str
            amount: Decimal
            children: tuple[Node, ...] = ()
            tags: tuple[str, ...] = ()

        Node.__qualname__ = f"Node{round_}"  # a new class each round: nothing cached
        attrs_.resolve_types(Node, localns={"Node": Node})
        data = codec.encode(Node("root", Decimal("1.10"), (Node("leaf", Decimal("2")),)))
        start = threading.Barrier(8)

        def work(cls: type = Node, payload: object = data, go: Any = start) -> None:
            go.wait()
            try:
                for _ in range(20):
                    assert codec.decode(cls, payload).children[0].name == "leaf"
                    codec.encode(cls("x", Decimal("0.01")))
            except BaseException as exc:  # collected for the assertion
                failures.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
