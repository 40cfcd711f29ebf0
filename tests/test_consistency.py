"""One library, one set of conventions: checked over every service's public methods.

* every state-changing call takes an optional, keyword-only ``actor`` (default
  ``"system"``); the methods below that change nothing are listed by name, so a new
  method is either a read (add it here) or takes an ``actor``;
* an order's id is called ``order_id`` wherever a call names one;
* a ``reason`` is required or optional as docs/conventions.md says, for every call.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from omskit import OMS
from omskit.errors import ValidationError
from omskit.storage.ports import Aggregate

#: Public methods that read or compute and never change stored state, per service.
READS: dict[str, set[str]] = {
    "channels": {"ensure_default", "get", "list"},
    "catalog": {"find", "get", "list"},
    "customers": {"find_by_email", "get", "get_by_email", "list", "search"},
    "pricing": {
        "base_prices",
        "coupon",
        "price_list",
        "price_lists",
        "promotions",
        "quote",
        "tax_rates",
    },
    "inventory": {
        "available",
        "backorder_policy",
        "check_basket",
        "ledger",
        "level",
        "levels",
        "location",
        "locations",
        "promise",
        "purchase_order",
        "rebuild",
        "reconcile",
        "reservations",
        "suggest_purchase_orders",
    },
    "routing": {"compare", "names", "plan", "replan", "strategy"},
    "carriers": {
        "get",
        "label",
        "labels_for",
        "names",
        "quotes",
        "rates",
        "request",
        "settle_failed",
        "shop",
        "unsettled_purchases",
        "void_unstored",
    },
    "payments": {
        "compensate",
        "credit_account",
        "find",
        "gateway",
        "get",
        "names",
        "pending_compensations",
        "raise_unless_succeeded",
        "send",
        "send_raw",
        "settle_with",
        "store_credit",
    },
    "orders": {
        "add_timeline_source",
        "apply_quote",
        "find_by_external",
        "get",
        "history",
        "list",
        "risk",
        "sourcing_request",
        "timeline",
    },
    "fulfillment": {
        "find_by_tracking",
        "for_order",
        "get",
        "list",
        "location_setup",
        "pick_list",
        "pick_list_document",
        "shipment",
        "shipments",
    },
    "support": {"cases", "get", "overdue", "timeline"},
    "notifications": {
        "back_in_stock_subscriptions",
        "dead_letters",
        "get",
        "messages",
        "preferences",
        "preview",
        "provider",
        "render",
        "templates",
        "triggers",
        "unsubscribe_token",
    },
    "events": {"dead_letters", "pending"},
}


#: Machinery that runs other calls or delivers events: the actor is the call's that it
#: runs, or each event's own.
PLUMBING = {("payments", "run"), ("events", "dispatch"), ("notifications", "handle")}

#: Registrations of an in-process callback: configuration of the running process, not a
#: change of stored state, so no ``actor`` (docs/conventions.md); with the audit on, the
#: admin guard still records them under the ``acting_as`` principal.
REGISTRATIONS = {
    ("carriers", "add_tracking_listener"),
    ("payments", "observe"),
    ("events", "subscribe"),
}

#: State-changing calls whose actor defaults to someone else than ``"system"``.
OTHER_DEFAULTS = {
    ("support", "open"): None,  # the customer who opens the case
    ("notifications", "unsubscribe"): "unsubscribe link",  # the customer, by link
}


def public_methods() -> Iterator[tuple[str, str, inspect.Signature]]:
    """``(service, method, signature)`` for every public method of every service."""
    oms = OMS.in_memory(autoload=False)
    for service in READS:
        cls = type(getattr(oms, service))
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or name.endswith("_in"):
                continue  # *_in(uow, ...) run inside the caller's unit of work and actor
            yield service, name, inspect.signature(member)


METHODS = list(public_methods())


@pytest.mark.parametrize(
    ("service", "name", "signature"), METHODS, ids=[f"{s}.{n}" for s, n, _ in METHODS]
)
def test_every_state_changing_call_takes_a_keyword_only_actor(
    service: str, name: str, signature: inspect.Signature
) -> None:
    if (service, name) in PLUMBING:
        return
    if name in READS[service] or (service, name) in REGISTRATIONS:
        assert "actor" not in signature.parameters, f"{service}.{name} is listed as a read"
        return
    actor = signature.parameters.get("actor")
    assert actor is not None, f"{service}.{name} changes state: give it `*, actor='system'`"
    assert actor.kind is inspect.Parameter.KEYWORD_ONLY
    assert actor.default == OTHER_DEFAULTS.get((service, name), "system")


def test_the_reads_listed_exist() -> None:
    found = {(s, n) for s, n, _ in METHODS}
    missing = sorted(f"{s}.{n}" for s, names in READS.items() for n in names if (s, n) not in found)
    assert not missing


#: Calls that pass the gateway port's own ``reference`` through (the PaymentGateway
#: protocol plugins implement names it so; it is the payment's order id).
GATEWAY_PLUMBING = {("payments", "send"), ("payments", "send_raw")}


def test_a_call_naming_one_order_calls_its_id_order_id() -> None:
    odd = [
        f"{s}.{n}({', '.join(sig.parameters)})"
        for s, n, sig in METHODS
        if s in ("payments", "orders", "fulfillment")
        and "reference" in sig.parameters
        and "order_id" not in sig.parameters  # where it is, ``reference`` is its old name
        and (s, n) not in GATEWAY_PLUMBING
    ]
    assert not odd


def test_named_providers_are_listed_alike_and_the_old_attributes_warn() -> None:
    oms = OMS.in_memory(autoload=False)
    for service in (oms.carriers, oms.routing, oms.payments):
        assert service.names() == service.registry.names()
        assert service.names()
    with pytest.warns(DeprecationWarning, match=r"oms\.routing\.names\(\)"):
        assert oms.routing.strategies.names() == oms.routing.names()
    with pytest.warns(DeprecationWarning, match=r"oms\.payments\.registry"):
        assert oms.payments.gateways.names() == oms.payments.names()


def test_a_transfer_names_its_locations_like_every_other_stock_call() -> None:
    oms = OMS.in_memory(autoload=False)
    oms.catalog.add_product("TEE-M", name="T-shirt", price="19.90", currency="EUR")
    for code, lat in (("BER", 52.5), ("MUC", 48.1)):
        oms.inventory.add_location(code, name=code, country="DE", lat=lat, lon=11.6)
    oms.inventory.receive("TEE-M", location="BER", quantity=5)
    out, into = oms.inventory.transfer(
        "TEE-M", from_location="BER", to_location="MUC", quantity=2, actor="planner"
    )
    assert (out.location, out.on_hand, into.location, into.on_hand) == ("BER", 3, "MUC", 2)
    with pytest.warns(DeprecationWarning, match="'source' is deprecated"):
        oms.inventory.transfer("TEE-M", source="BER", to_location="MUC", quantity=1)
    with pytest.raises(ValidationError, match="give 'to_location' only"):
        oms.inventory.transfer(
            "TEE-M", from_location="BER", to_location="MUC", target="MUC", quantity=1
        )
    with pytest.raises(ValidationError, match="to_location"):
        oms.inventory.transfer("TEE-M", from_location="BER", to_location="BER", quantity=1)
    assert oms.inventory.level("TEE-M", "MUC").on_hand == 3


def _reason_rule() -> dict[str, set[tuple[str, str]]]:
    """The calls docs/conventions.md lists as needing a reason, and as taking one."""
    text = (Path(__file__).parent.parent / "docs" / "conventions.md").read_text()
    rule = text[text.index("## Why: `reason`") : text.index("## What comes back")]
    required = rule[rule.index("**required**") : rule.index("**optional**")]
    optional = rule[rule.index("**optional**") : rule.index("`payments.refund` used")]
    return {
        kind: set(re.findall(r"`(\w+)\.(\w+)`", part))
        for kind, part in (("required", required), ("optional", optional))
    }


#: Required, but still callable without one for now (it warns; docs/conventions.md).
REASON_DEPRECATION = {("payments", "refund")}


def test_reason_is_required_or_optional_as_the_conventions_page_says() -> None:
    rule = _reason_rule()
    assert len(rule["required"]) >= 10
    assert len(rule["optional"]) >= 6
    taking = {(s, n): sig.parameters["reason"] for s, n, sig in METHODS
              if "reason" in sig.parameters}  # fmt: skip
    unlisted = sorted(
        f"{s}.{n}" for s, n in taking if (s, n) not in rule["required"] | rule["optional"]
    )
    assert not unlisted, f"say in docs/conventions.md whether these need a reason: {unlisted}"
    for call in rule["required"]:
        reason = taking[call]
        assert reason.kind is inspect.Parameter.KEYWORD_ONLY, call
        if call not in REASON_DEPRECATION:
            assert reason.default is inspect.Parameter.empty, f"{call} must require a reason"
    for call in rule["optional"]:
        assert taking[call].default == "", f"{call} takes an optional reason, default ''"


def _documented_returns() -> set[tuple[str, str]]:
    """The calls docs/conventions.md's "What comes back" table lists as exceptions."""
    text = (Path(__file__).parent.parent / "docs" / "conventions.md").read_text()
    table = text[text.index("## What comes back") : text.index("## Names")]
    found: set[tuple[str, str]] = set()
    for row in re.findall(r"^\| (`[^|]*) \|", table, re.MULTILINE):
        service = ""
        for token in re.findall(r"`([\w.]+)`", row):
            service, _, name = token.rpartition(".") if "." in token else (service, "", token)
            found.add((service, name))
    return found


def test_a_change_returns_the_aggregate_it_changed_or_is_a_documented_exception() -> None:
    oms = OMS.in_memory(autoload=False)
    documented = _documented_returns()
    odd = []
    for service, name, signature in METHODS:
        if name in READS[service] or (service, name) in PLUMBING | REGISTRATIONS:
            continue
        annotation = str(signature.return_annotation)
        single = re.fullmatch(r"\w+", annotation) is not None
        method = getattr(type(getattr(oms, service)), name)
        found = getattr(inspect.getmodule(method), re.findall(r"\w+", annotation)[-1], None)
        aggregate = isinstance(found, type) and issubclass(found, Aggregate)
        if not (single and aggregate) and (service, name) not in documented:
            odd.append(f"{service}.{name} -> {annotation}")
    assert not odd, "return the aggregate, or add a row to docs/conventions.md: " + str(odd)
    assert ("orders", "pay") in documented
