"""The one-pass payload reader agrees with the reporting parser on every payload it reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from omskit.customers.address import Address, fast_address
from omskit.errors import ValidationError
from omskit.orders.commands import ProblemReport, parse_capture
from omskit.orders.fastparse import parse_well_formed

GOOD: dict[str, Any] = {
    "channel": "web", "external_id": "W-1", "customer": {"email": "Dana@Example.COM"},
    "ship_to": {"country": "de", "line1": " Invalidenstr. 117 ", "city": "Berlin",
                "postal_code": "10115"},
    "lines": [{"sku": "TEE-M", "quantity": 2, "unit_price": "17.99"}],
    "payment": {"method": "tok_visa", "fingerprint": "fp_3f9a"},
}  # fmt: skip

# odd values for any field: each is either fine somewhere or refused by some check
ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2_000_000), st.just(1.5), st.just(""),
    st.just("  "), st.just("x" * 70), st.just("x" * 300), st.just("de"), st.just("ZZ"),
    st.just("EUR"), st.just("eur"), st.just("XXX"), st.just("DDP"), st.just("a@b.io"),
    st.just("no-at"), st.just("10115"), st.just("1011"), st.just("-1"), st.just("1e12"),
    st.just(Decimal("2")), st.just([]), st.just(["C1", " "]), st.just(("C2",)), st.just({}),
    st.just({"country": "FR", "postal_code": "75001", "lat": 1}),
    st.just({"method": "tok", "fingerprint": " "}), st.just({"email": "x@y.de", "vat_id": ""}),
    st.just({"email": "x@y.de", "tax_exempt": True, "group": "b2b", "bogus": 1}),
    st.just([{"sku": "A", "quantity": 1}, {"sku": "-A", "quantity": 1}]),
    st.just([{"sku": "A", "quantity": True}]), st.just([{"sku": "A", "quantity": 1, "x": 0}]),
    st.just("a" * 2001), st.just("4242 4242 4242 4242"), st.just("CA"), st.just("California"),
    st.just("+49 30 901820"), st.just("030 901820"), st.just("+999999999999"),
)  # fmt: skip

PATHS = [
    ("channel",), ("external_id",), ("currency",), ("customer",), ("customer", "email"),
    ("customer", "name"), ("customer", "customer_id"), ("customer", "group"),
    ("customer", "tax_exempt"), ("customer", "vat_id"), ("ship_to",), ("ship_to", "country"),
    ("ship_to", "postal_code"), ("ship_to", "line2"), ("ship_to", "email"), ("ship_to", "lat"),
    ("bill_to",), ("lines",), ("coupons",), ("shipping",), ("incoterm",), ("payment",),
    ("payment", "method"), ("payment", "fingerprint"), ("notes",), ("surprise",),
]  # fmt: skip


def _with(changes: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    payload = {k: dict(v) if isinstance(v, dict) else v for k, v in GOOD.items()}
    payload["customer"] = dict(GOOD["customer"])
    for path, value in changes:
        target = payload
        for key in path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        target[path[-1]] = value
    return payload


def _reported(payload: Any) -> tuple[dict[str, Any], list[Any]]:
    """What the reporting parser makes of ``payload`` (the fast path switched off)."""
    from omskit.orders import commands

    fast, commands.parse_well_formed = commands.parse_well_formed, lambda _d: None  # type: ignore[assignment]
    try:
        report = ProblemReport()
        return parse_capture(payload, report), report.items
    finally:
        commands.parse_well_formed = fast


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), ODD), max_size=3))
def test_the_one_pass_reader_returns_what_the_reporting_parser_returns_or_steps_aside(
    changes: list[tuple[tuple[str, ...], Any]],
) -> None:
    payload = _with(changes)
    fast = parse_well_formed(payload)
    fields, problems = _reported(payload)
    if fast is not None:
        assert problems == []
        assert fast == fields
    assert parse_capture(payload, ProblemReport()) == fields


def test_a_good_payload_takes_the_one_pass_reader() -> None:
    fast = parse_well_formed(GOOD)
    assert fast is not None
    assert fast == _reported(GOOD)[0]
    assert fast["ship_to"].line1 == "Invalidenstr. 117"
    assert fast["positions"] == [0]


def test_a_bad_payload_is_left_to_the_reporting_parser() -> None:
    assert parse_well_formed({**GOOD, "lines": [{"sku": "A", "quantity": 0}]}) is None
    assert parse_well_formed({**GOOD, "extra": 1}) is None
    assert parse_well_formed([GOOD]) is None


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*Address.FIELDS, "zip"]),
        st.one_of(ODD, st.sampled_from(["DE", "us", "12345", "K1A 0B1", "CA", "x@example.org"])),
        max_size=6,
    )
)
def test_the_one_pass_address_reader_agrees_with_from_mapping(data: dict[str, Any]) -> None:
    import omskit.customers.address as module

    fast = fast_address(data)
    module.fast_address = lambda _d: None  # type: ignore[assignment]
    try:
        slow = Address.from_mapping(data)
    except ValidationError:
        assert fast is None
        return
    finally:
        module.fast_address = fast_address
    assert fast is None or fast == slow


def test_the_fingerprint_covers_every_field_of_the_command_and_its_parts() -> None:
    import attrs

    from omskit.orders.commands import CaptureLine, CaptureOrder, CustomerInfo, PaymentInfo

    command = CaptureOrder.from_mapping({**GOOD, "bill_to": GOOD["ship_to"]})
    identity = command.identity()
    assert len(identity) == len(attrs.fields(CaptureOrder))
    assert len(identity[2]) == len(attrs.fields(CustomerInfo))
    assert len(identity[3]) == len(attrs.fields(Address))
    assert len(identity[4][0]) == len(attrs.fields(CaptureLine))
    assert len(identity[10]) == len(attrs.fields(PaymentInfo))
    for name in ("notes", "incoterm", "coupons", "shipping", "currency", "bill_to"):
        other = attrs.evolve(command, **{name: attrs.fields_dict(CaptureOrder)[name].default})
        assert other.fingerprint != command.fingerprint or getattr(command, name) == getattr(
            other, name
        )
    moved = attrs.evolve(command, ship_to=attrs.evolve(command.ship_to, phone="+49 1"))
    assert moved.fingerprint != command.fingerprint


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), ODD), max_size=3))
def test_the_reader_s_unchecked_construction_equals_plain_construction(
    changes: list[tuple[tuple[str, ...], Any]],
) -> None:
    from omskit.orders.commands import CaptureOrder, checked_command

    report = ProblemReport()
    fields = parse_capture(_with(changes), report)
    if report:
        return
    fields.pop("positions")
    assert checked_command(dict(fields)) == CaptureOrder(**fields)
