"""Fuzzing the entry points with JSON-shaped input: only OmskitError escapes, and a refusal
changes nothing.

Every value is what a host gets from ``json.loads(body, parse_float=Decimal)``: random
JSON documents (dumped and loaded again), hostile tokens (``1E+999999``, lone
surrogates, ``NaN``, 10^30, 5,000-character strings), plus what a host's own code may
pass on (keys of mixed types, a list 50,000 deep, a mapping sent as a string). Each
target also mutates a valid payload: a field replaced, removed or added. After a
refused call, every collection (row counts and versions, the ledger included), the
outbox and the events delivered are exactly as before.

Examples per target: twice the profile's ``max_examples`` (400 under ``ci``, 3,200 in all).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omskit import OMS
from omskit.errors import OmskitError
from omskit.payments import GatewayUnavailable, PaymentDeclined
from omskit.testing import FakeClock

from .conftest import BERLIN, START, order_payload, stock_shop, store_state

EXAMPLES = 2 * settings().max_examples
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Huge(int):
    """10**5000, shown by its size (``repr`` of the number itself refuses)."""

    def __repr__(self) -> str:
        return "<10**5000>"


class Deep(list[Any]):
    """A list nested ``depth`` deep, which test reports show by its depth only."""

    def __init__(self, depth: int) -> None:
        value: list[Any] = []
        for _ in range(depth - 1):
            value = [value]
        super().__init__([value])
        self.depth = depth

    def __repr__(self) -> str:
        return f"<a list nested {self.depth:,} deep>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


_TOKENS = [
    "1E+999999",
    "-1E+999999",
    "1e-999999",
    "123456789012345678901234567890",
    "0.1",
    "1.0",
    "2.50",
    "-0",
    "NaN",
    "Infinity",
    '"\\ud800"',
    '"a\\udfffb"',
    '"1E+999999"',
    '" "',
    '""',
    '"L1"',
    '{"L1": "2"}',
    "[[[[[[]]]]]]",
]
JSON_TOKENS = [json.loads(t, parse_float=Decimal) for t in _TOKENS]
DEEP = Deep(50_000)
HOST_VALUES: list[Any] = [DEEP, {1: 2, "a": 3}, {(1, 2): "x"}, Huge(10**5000), "x" * 5000, b"raw"]


def _roundtrip(value: Any) -> Any:
    return json.loads(json.dumps(value), parse_float=Decimal)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["L1", "L2", "BER", "TEE-M", "sandbox", "standard", "web", "EUR", "DE"]),
)
JSON_VALUES = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
).map(_roundtrip)
VALUES = st.one_of(JSON_VALUES, st.sampled_from(JSON_TOKENS), st.sampled_from(HOST_VALUES))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield (*prefix, i)
            yield from _paths(inner, (*prefix, i))


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, Any], *, fixed_keys: bool = False) -> Any:
    """``valid`` with one to three fields replaced, removed or added (at any depth).

    ``fixed_keys``: the top-level keys stay (they are keyword arguments of a call).
    """
    data = copy.deepcopy(valid)
    paths = list(_paths(data))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if fixed_keys and len(path) == 1:
            action = "replace"
        try:
            parent = data
            for step in path[:-1]:
                parent = parent[step]
            if action == "replace":
                parent[path[-1]] = draw(VALUES)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=8) | st.sampled_from(["sku", "email"]))] = draw(VALUES)
            elif isinstance(parent, list):
                parent.append(draw(VALUES))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the way there
    return data


def payloads(valid: dict[str, Any], *, fixed_keys: bool = False) -> st.SearchStrategy[Any]:
    """Mostly mutations of ``valid``; sometimes a random JSON document instead."""
    random_doc = JSON_VALUES.filter(lambda v: not fixed_keys or isinstance(v, dict))
    if fixed_keys:
        random_doc = st.fixed_dictionaries(dict.fromkeys(valid, VALUES))
    return st.one_of(mutated(valid, fixed_keys=fixed_keys), random_doc)


class Shop:
    """A fresh stocked OMS that counts every event delivered."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.clock = FakeClock(START)
        self.oms = stock_shop(OMS.in_memory(config, clock=self.clock, autoload=False))
        self.events: list[Any] = []
        self.oms.events.subscribe("fuzz", self.events.append)

    def refused(self, call: Callable[[], object], *, recorded: tuple[type, ...] = ()) -> bool:
        """Run ``call``; only an OmskitError may escape, and a refusal changes nothing.

        ``recorded`` lists refusals that are kept on record by design (a declined
        payment is stored on the payment, then raised).
        """
        before = store_state(self.oms, self.events)
        try:
            call()
        except OmskitError as exc:
            changed = store_state(self.oms, self.events) != before
            if changed and not isinstance(exc, recorded):
                raise AssertionError(f"a refused call changed the store: {exc}") from exc
            return True
        return False


def kwargs_call(fn: Callable[..., object], args: Any) -> Callable[[], object]:
    return lambda: fn(**args)


# -- capture ------------------------------------------------------------------------------
CAPTURE = {
    **order_payload("F-1"),
    "currency": "EUR",
    "bill_to": dict(BERLIN),
    "coupons": [],
    "shipping": "4.90",
    "incoterm": "DAP",
    "notes": "leave at the door",
    "lines": [
        {"sku": "TEE-M", "quantity": 2},
        {"sku": "MUG-01", "quantity": 1, "unit_price": "12.50"},
    ],
}


@FUZZ
@given(payloads(CAPTURE))
def test_capture_refuses_hostile_payloads_with_omskit_errors_only(payload: Any) -> None:
    shop = Shop()
    shop.refused(lambda: shop.oms.orders.capture(payload))


# -- customers ----------------------------------------------------------------------------
CUSTOMER = {
    "email": "dana@example.com",
    "name": "Dana Levi",
    "phone": "+49 30 1234567",
    "locale": "de_DE",
    "group": "vip",
    "vat_id": "DE123456789",
    "addresses": [dict(BERLIN)],
}


@FUZZ
@given(payloads(CUSTOMER), st.booleans())
def test_customer_registration_and_updates_refuse_with_omskit_errors_only(
    fields: Any, update: bool
) -> None:
    shop = Shop()
    customers = shop.oms.customers
    if not isinstance(fields, dict):
        shop.refused(lambda: customers.register(fields))
        return
    if update:
        existing = customers.register("someone@example.com")
        changes = {k: v for k, v in fields.items() if isinstance(k, str)}
        shop.refused(lambda: customers.update(existing.id, **changes))
    else:
        email = fields.pop("email", None)
        rest = {k: v for k, v in fields.items() if isinstance(k, str)}
        shop.refused(lambda: customers.register(email, **rest))


# -- catalog ------------------------------------------------------------------------------
PRODUCT = {
    "sku": "NEW-1",
    "name": "New thing",
    "price": "9.90",
    "currency": "EUR",
    "weight_grams": 100,
    "dimensions": [100, 50, 20],
    "hs_code": "6109.10",
    "country_of_origin": "PT",
    "tax_class": "standard",
}


@FUZZ
@given(payloads(PRODUCT), st.booleans())
def test_catalog_refuses_hostile_products_with_omskit_errors_only(
    fields: Any, update: bool
) -> None:
    shop = Shop()
    catalog = shop.oms.catalog
    if not isinstance(fields, dict):
        shop.refused(lambda: catalog.add_product(fields))
        return
    sku = fields.pop("sku", None)
    rest = {k: v for k, v in fields.items() if isinstance(k, str)}
    if update:
        rest.pop("currency", None)
        shop.refused(lambda: catalog.update_product("TEE-M", **rest))
    else:
        shop.refused(lambda: catalog.add_product(sku, **rest))


# -- inventory ----------------------------------------------------------------------------
STOCK_CALLS: dict[str, dict[str, Any]] = {
    "receive": {"sku": "TEE-M", "location": "BER", "quantity": 5, "reference": "PO-1"},
    "adjust": {"sku": "TEE-M", "location": "BER", "delta": -2, "reason": "damaged"},
    "count": {"sku": "TEE-M", "location": "BER", "counted": 40},
    "quarantine": {"sku": "MUG-01", "location": "BER", "quantity": 1, "reason": "check"},
    "set_safety_stock": {"sku": "TEE-M", "location": "BER", "quantity": 3},
    "add_location": {
        "code": "MUC",
        "name": "Munich",
        "country": "DE",
        "lat": "48.1",
        "lon": "11.5",
        "kind": "warehouse",
    },
}


@FUZZ
@given(
    st.sampled_from(sorted(STOCK_CALLS)).flatmap(
        lambda op: st.tuples(st.just(op), payloads(STOCK_CALLS[op], fixed_keys=True))
    )
)
def test_stock_operations_refuse_hostile_arguments_with_omskit_errors_only(
    call: tuple[str, dict[str, Any]],
) -> None:
    op, args = call
    shop = Shop()
    inventory = shop.oms.inventory
    if op == "add_location":
        code = args.pop("code")
        shop.refused(lambda: inventory.add_location(code, **args))
    else:
        sku = args.pop("sku")
        shop.refused(lambda: getattr(inventory, op)(sku, **args))


# -- quotes -------------------------------------------------------------------------------
QUOTE = {
    "channel": "web",
    "lines": [{"sku": "TEE-M", "quantity": 2}, {"sku": "MUG-01", "quantity": 1}],
    "currency": "EUR",
    "customer": {"email": "dana@example.com"},
    "ship_to": dict(BERLIN),
    "coupons": [],
    "shipping": "4.90",
    "incoterm": "DAP",
}


@FUZZ
@given(payloads(QUOTE, fixed_keys=True))
def test_quotes_refuse_hostile_baskets_with_omskit_errors_only(args: dict[str, Any]) -> None:
    shop = Shop()
    shop.refused(kwargs_call(shop.oms.pricing.quote, args))


# -- webhooks -----------------------------------------------------------------------------
def labelled(shop: Shop) -> str:
    """A shipped order's first tracking number."""
    oms = shop.oms
    order = oms.orders.capture(order_payload("F-1"))
    (fo,) = oms.fulfillment.release(order.id)
    oms.fulfillment.accept(fo.id)
    oms.fulfillment.confirm_pick(fo.id)
    oms.fulfillment.pack(fo.id)
    return oms.fulfillment.ship(fo.id, carrier="sandbox", service="standard").tracking_numbers[0]


WEBHOOK = {
    "tracking_number": "<number>",
    "delivery_id": "d-1",
    "event": {
        "code": "ACC",
        "time": "2026-11-24T12:00:00Z",
        "location": "Berlin",
        "message": "handed over",
    },
}
HEADERS = st.dictionaries(
    st.sampled_from(["Sandbox-Signature", "sandbox-signature", "Content-Type"])
    | st.text(max_size=5),
    st.text(max_size=40) | st.sampled_from(["t=1,v1=ab", "t=1795507200,v1=" + "0" * 64]),
    max_size=3,
)


@FUZZ
@given(payloads(WEBHOOK), st.sampled_from(["signed", "unsigned", "raw"]), HEADERS, st.binary())
def test_webhooks_refuse_forged_and_malformed_bodies_with_omskit_errors_only(
    payload: Any, how: str, headers: dict[str, str], raw: bytes
) -> None:
    shop = Shop()
    number = labelled(shop)
    if isinstance(payload, dict) and payload.get("tracking_number") == "<number>":
        payload["tracking_number"] = number
    sandbox: Any = shop.oms.carriers.get("sandbox")
    if how == "signed":
        try:
            body = json.dumps(payload).encode()
        except (TypeError, ValueError, RecursionError):
            body = raw  # not JSON (mixed keys, bytes, 50,000 deep): sign random bytes
        hook = sandbox.sign_webhook(body, now=shop.clock.now())
        body, headers = hook.body, dict(hook.headers)
    elif how == "unsigned":
        try:
            body = json.dumps(payload, default=str).encode()
        except (TypeError, ValueError, RecursionError):
            body = raw  # not JSON: send random bytes instead
    else:
        body = raw
    refused = shop.refused(lambda: shop.oms.carriers.handle_webhook("sandbox", body, headers))
    assert refused or how == "signed"  # nothing unsigned is ever accepted


# -- payments -----------------------------------------------------------------------------
PAYMENT_CALLS = {
    "authorize": {"amount": "5.00", "method": "tok_visa", "idempotency_key": "k-1"},
    "capture": {"amount": "10.00", "idempotency_key": "k-2"},
    "void": {"amount": "1.00", "idempotency_key": "k-3"},
    "refund": {"amount": "1.00", "idempotency_key": "k-4", "reason": "goodwill"},
}


@FUZZ
@given(
    st.sampled_from(sorted(PAYMENT_CALLS)).flatmap(
        lambda op: st.tuples(st.just(op), payloads(PAYMENT_CALLS[op], fixed_keys=True))
    ),
    st.sampled_from(["order", "mutated"]),
    VALUES,
)
def test_payment_calls_refuse_hostile_amounts_and_keys_with_omskit_errors_only(
    call: tuple[str, dict[str, Any]], whose: str, other: Any
) -> None:
    op, args = call
    shop = Shop()
    order = shop.oms.orders.capture(order_payload("F-1"))
    reference = order.id if whose == "order" else other
    if op == "refund":
        shop.oms.payments.capture(order.id)
    recorded = (PaymentDeclined, GatewayUnavailable)
    method = getattr(shop.oms.payments, op)
    shop.refused(lambda: method(reference, **args), recorded=recorded)
    reason = args.get("idempotency_key")
    if op == "refund":
        shop.refused(
            lambda: shop.oms.orders.refund(order.id, args["amount"], reason=reason),
            recorded=recorded,
        )


# -- fulfillment --------------------------------------------------------------------------
FULFILLMENT_CALLS: dict[str, dict[str, Any]] = {
    "confirm_pick": {"picked": {"L1": 2}, "complete": True},
    "pack": {"quantities": {"L1": 2}},
    "reject": {"reason": "no staff"},
    "cancel": {"reason": "withdrawn", "actor": "ops"},
    "ship": {
        "carrier": "sandbox",
        "service": "standard",
        "options": {"scenario": "lost"},
        "objective": "cheapest",
    },
    "release": {"strategy": "nearest", "pickup_location": "BER"},
    "configure_location": {"address": dict(BERLIN), "bins": {"TEE-M": "A-01-1-A"}},
    "cancel_lines": {"lines": {"L1": 1}, "reason": "out of stock"},
    "confirm_dropship": {"carrier": "sandbox", "tracking_number": "SB1", "service": "x"},
}


def prepared(shop: Shop, stage: str) -> tuple[str, str]:
    """An order and its fulfillment order, brought to ``stage``."""
    oms = shop.oms
    order = oms.orders.capture(order_payload("F-1"))
    (fo,) = oms.fulfillment.release(order.id)
    steps = ["released", "accepted", "picked", "packed"]
    if steps.index(stage) >= 1:
        oms.fulfillment.accept(fo.id)
    if steps.index(stage) >= 2:
        oms.fulfillment.confirm_pick(fo.id)
    if steps.index(stage) >= 3:
        oms.fulfillment.pack(fo.id)
    return order.id, fo.id


@FUZZ
@given(
    st.sampled_from(sorted(FULFILLMENT_CALLS)).flatmap(
        lambda op: st.tuples(st.just(op), payloads(FULFILLMENT_CALLS[op], fixed_keys=True))
    ),
    st.sampled_from(["released", "accepted", "picked", "packed"]),
    st.sampled_from(["right", "hostile"]),
    VALUES,
)
def test_fulfillment_calls_refuse_hostile_arguments_with_omskit_errors_only(
    call: tuple[str, dict[str, Any]], stage: str, which: str, other: Any
) -> None:
    op, args = call
    shop = Shop()
    order_id, fo_id = prepared(shop, stage)
    fulfillment = shop.oms.fulfillment
    target = {"release": order_id, "cancel_lines": order_id, "configure_location": "BER"}
    ident = target.get(op, fo_id) if which == "right" else other
    if op == "cancel_lines":
        shop.refused(lambda: shop.oms.orders.cancel_lines(ident, **args))
    elif op in ("confirm_pick", "pack"):
        value = next(iter(args.values()))
        rest = {k: v for k, v in args.items() if k not in ("picked", "quantities")}
        shop.refused(lambda: getattr(fulfillment, op)(ident, value, **rest))
    else:
        shop.refused(lambda: getattr(fulfillment, op)(ident, **args))
