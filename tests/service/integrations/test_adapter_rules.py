"""The "rules for every adapter" of issue 16, checked for each channel adapter.

Every channel adapter (Shopify, WooCommerce, Amazon, eBay, Magento) is driven through
the same table from its checked-in platform sample:

* a malformed payload, a line without SKU and no mapping, a SKU the catalog does not
  know, and a currency the omskit channel does not sell each raise a specific
  ``OmskitError`` naming the field, and leave no order and no reservation behind;
* capturing the same platform order again (a replayed webhook, a re-poll) is a no-op;
* every amount written as a JSON number is read exactly (``Decimal``), the same order
  as with decimal strings, while a binary float is refused naming its field;
* a webhook with a wrong signature or a tampered body (the platforms that sign them)
  is refused before anything is parsed, and changes nothing;
* every key each parser reads is listed under "Mapped" in docs/integrations.md, and
  each adapter's section lists what it ignores.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from omskit import OMS, UnknownSku
from omskit.errors import FloatNotAllowed, OmskitError, ValidationError
from omskit.integrations import amazon, ebay, magento, shopify, woocommerce
from omskit.integrations.channel import ChannelOrder, ChannelSignatureInvalid
from omskit.integrations.transport import decode_json
from omskit.testing import FakeClock

ROOT = Path(__file__).parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "integrations"
DOCS = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
SECRET = b"rules-secret"


@attrs.frozen
class Adapter:
    """One channel adapter as the table drives it."""

    name: str
    section: str  # its heading in docs/integrations.md
    files: Mapping[str, str]  # document name -> fixture path below FIXTURES
    parse: Callable[[Mapping[str, Any]], ChannelOrder]
    currency: str
    skus: tuple[str, ...]  # the omskit SKUs its sample sells
    known_sku: str  # a SKU written in the sample, replaced to make it unknown
    drop_sku: Callable[[dict[str, Any]], str]  # blank a line's SKU; the field named
    break_it: Callable[[dict[str, Any]], str]  # a malformed payload; the field named

    def texts(self) -> dict[str, str]:
        return {k: (FIXTURES / v).read_text(encoding="utf-8") for k, v in self.files.items()}

    def read(self, texts: Mapping[str, str], loads: Callable[[str], Any] = decode_json) -> Any:
        return self.parse({k: loads(v) for k, v in texts.items()})


def _shopify(docs: Mapping[str, Any]) -> ChannelOrder:
    return shopify.parse_order(docs["order"])


def _woo(docs: Mapping[str, Any]) -> ChannelOrder:
    return woocommerce.parse_order(docs["order"], sku_map={"93": "WOO-SINGLE-1"})


def _amazon(docs: Mapping[str, Any]) -> ChannelOrder:
    return amazon.parse_order(docs["orders"]["payload"]["Orders"][0], docs["items"],
                              address_info=docs["address"], buyer_info=docs["buyer"])  # fmt: skip


def _ebay(docs: Mapping[str, Any]) -> ChannelOrder:
    return ebay.parse_order(docs["order"], sku_map={"110999211790": "TOWEL-1"})


def _magento(docs: Mapping[str, Any]) -> ChannelOrder:
    return magento.parse_order(docs["order"])


def _set(path: tuple[Any, ...], value: Any, field: str) -> Callable[[dict[str, Any]], str]:
    def change(docs: dict[str, Any]) -> str:
        node: Any = docs
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return field

    return change


def _drop_amazon_sku(docs: dict[str, Any]) -> str:
    item = docs["items"]["payload"]["OrderItems"][0]
    item["SellerSKU"], item["ASIN"] = "", ""
    return "OrderItems[0].SellerSKU"


def _drop_magento_sku(docs: dict[str, Any]) -> str:
    for i, item in enumerate(docs["order"]["items"]):
        if not item.get("parent_item_id"):
            item["sku"], item["product_id"] = "", None
            return f"items[{i}].sku"
    raise AssertionError("no parent item")


ADAPTERS = [
    Adapter("shopify", "### Shopify", {"order": "shopify/order.json"}, _shopify, "USD",
            ("IPOD2008GREEN", "IPOD2008RED"), "IPOD2008RED",
            _set(("order", "order", "line_items", 1, "sku"), "", "line_items[1].sku"),
            _set(("order", "order", "line_items", 0, "quantity"), "two",
                 "line_items[0].quantity")),
    Adapter("woocommerce", "### WooCommerce", {"order": "woocommerce/order.json"}, _woo,
            "USD", ("WOO-SINGLE-1", "Bar3"), "Bar3",
            _set(("order", "line_items", 1, "sku"), "", "line_items[1].sku"),
            _set(("order", "total"), "29.3.5", "total")),
    Adapter("amazon", "### Amazon", {"orders": "amazon/orders.json",
                                     "items": "amazon/order_items.json",
                                     "address": "amazon/address.json",
                                     "buyer": "amazon/buyer_info.json"},
            _amazon, "USD", ("NABetaASINB00551Q3CS",), "NABetaASINB00551Q3CS",
            _drop_amazon_sku,
            _set(("orders", "payload", "Orders", 0, "OrderStatus"), "Lost", "OrderStatus")),
    Adapter("ebay", "### eBay", {"order": "ebay/order.json"}, _ebay, "USD",
            ("MUG-BLUE", "TOWEL-1"), "MUG-BLUE",
            _set(("order", "lineItems", 0, "sku"), "", "lineItems[0].sku"),
            _set(("order", "fulfillmentStartInstructions"), [],
                 "fulfillmentStartInstructions")),
    Adapter("magento", "### Magento 2", {"order": "magento/order.json"}, _magento, "EUR",
            ("TEE-M", "HOODIE-L"), "TEE-M",
            _drop_magento_sku,
            _set(("order", "grand_total"), "1O.00", "grand_total")),
]  # fmt: skip


def open_shop(adapter: Adapter, order: ChannelOrder) -> OMS:
    oms = OMS.in_memory(clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
                        autoload=False)  # fmt: skip
    oms.channels.add(adapter.name, kind="marketplace", currencies=(adapter.currency,),
                     prices_include_tax=order.taxes_included, channel_prices="accept")  # fmt: skip
    oms.inventory.add_location("LOU", name="Louisville DC", country="US", lat=38.25,
                               lon=-85.76)  # fmt: skip
    for sku in adapter.skus:
        oms.catalog.add_product(sku, name=sku, price="9.00", currency=adapter.currency,
                                weight_grams=200)  # fmt: skip
        oms.inventory.receive(sku, location="LOU", quantity=10)
    return oms


def nothing_stored(oms: OMS, adapter: Adapter, external_id: str) -> None:
    assert oms.orders.find_by_external(adapter.name, external_id) is None
    for sku in adapter.skus:
        assert oms.inventory.level(sku, "LOU").reserved == 0


def capture(oms: OMS, adapter: Adapter, order: ChannelOrder) -> Any:
    return oms.orders.capture(order.capture_payload(adapter.name), actor=adapter.name)


@pytest.fixture(params=ADAPTERS, ids=lambda a: a.name)
def adapter(request: pytest.FixtureRequest) -> Adapter:
    return request.param  # type: ignore[no-any-return]


def test_the_sample_captures_and_a_replay_is_a_no_op(adapter: Adapter) -> None:
    order = adapter.read(adapter.texts())
    oms = open_shop(adapter, order)
    first = capture(oms, adapter, order)
    reserved = {sku: oms.inventory.level(sku, "LOU").reserved for sku in adapter.skus}
    assert sum(reserved.values()) == sum(x.quantity for x in order.lines)
    again = capture(oms, adapter, adapter.read(adapter.texts()))  # delivered or polled again
    assert (again.id, again.version) == (first.id, first.version)
    assert {s: oms.inventory.level(s, "LOU").reserved for s in adapter.skus} == reserved


@pytest.mark.parametrize("change", ["malformed", "no sku"])
def test_a_malformed_payload_or_a_line_without_sku_names_its_field(
    adapter: Adapter, change: str
) -> None:
    texts = adapter.texts()
    order = adapter.read(texts)
    oms = open_shop(adapter, order)
    docs = {k: decode_json(v) for k, v in texts.items()}
    field = (adapter.break_it if change == "malformed" else adapter.drop_sku)(docs)
    with pytest.raises(ValidationError) as err:
        adapter.parse(docs)
    assert err.value.field == field
    if change == "no sku":
        assert "sku_map" in str(err.value)  # the error says how to map one
    nothing_stored(oms, adapter, order.external_id)


def test_a_sku_the_catalog_does_not_know_is_refused_at_capture(adapter: Adapter) -> None:
    texts = adapter.texts()
    order = adapter.read(texts)
    oms = open_shop(adapter, order)
    unknown = adapter.read({k: v.replace(adapter.known_sku, "NOT-IN-CATALOG")
                            for k, v in texts.items()})  # fmt: skip
    with pytest.raises(UnknownSku):
        capture(oms, adapter, unknown)
    nothing_stored(oms, adapter, order.external_id)


def test_a_currency_the_channel_does_not_sell_is_refused(adapter: Adapter) -> None:
    texts = adapter.texts()
    order = adapter.read(texts)
    oms = open_shop(adapter, order)
    other = "GBP"
    moved = adapter.read({k: v.replace(f'"{adapter.currency}"', f'"{other}"')
                          for k, v in texts.items()})  # fmt: skip
    assert moved.currency == other
    with pytest.raises(OmskitError) as err:
        capture(oms, adapter, moved)
    assert getattr(err.value, "field", "currency") == "currency"
    assert other in str(err.value)
    nothing_stored(oms, adapter, order.external_id)


_AMOUNT = re.compile(r'"(-?\d+\.\d+)"')  # a decimal string amount, "19.99"


def test_amounts_as_json_numbers_are_read_exactly_and_floats_are_refused(
    adapter: Adapter,
) -> None:
    texts = adapter.texts()
    as_strings = adapter.read(texts)
    as_numbers = {k: _AMOUNT.sub(r"\1", v) for k, v in texts.items()}
    assert as_numbers != texts  # the sample does carry decimal amounts
    exact = adapter.read(as_numbers)
    assert exact.total == as_strings.total
    assert exact.lines == as_strings.lines
    assert exact.capture_payload(adapter.name) == as_strings.capture_payload(adapter.name)
    with pytest.raises(FloatNotAllowed) as err:
        adapter.read(as_numbers, loads=json.loads)  # 19.99 through a binary float
    assert err.value.field


# -- signatures: the platforms that sign their webhooks -----------------------------------

SIGNED = {
    "shopify": (shopify.receive_order, shopify.HMAC_HEADER, {}),
    "woocommerce": (woocommerce.receive_order, woocommerce.SIGNATURE_HEADER,
                    {"sku_map": {"93": "WOO-SINGLE-1"}}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SIGNED))
@pytest.mark.parametrize("how", ["wrong secret", "tampered body", "no header", "parsed body"])
def test_a_webhook_that_does_not_verify_changes_nothing(name: str, how: str) -> None:
    adapter = next(a for a in ADAPTERS if a.name == name)
    receive, header, options = SIGNED[name]
    body = (FIXTURES / adapter.files["order"]).read_bytes()
    order = adapter.read(adapter.texts())
    oms = open_shop(adapter, order)
    secret = b"not the secret" if how == "wrong secret" else SECRET
    headers = {header: base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()}
    sent: Any = body
    if how == "tampered body":
        sent = body.replace(b'"total', b'"totaI', 1)
    elif how == "no header":
        headers = {}
    elif how == "parsed body":
        sent = json.loads(body)
    with pytest.raises(ChannelSignatureInvalid):
        receive(sent, headers, secrets=[SECRET], orders=oms.orders, channel=name, **options)
    nothing_stored(oms, adapter, order.external_id)
    good = receive(body, {header: base64.b64encode(hmac.new(SECRET, body, hashlib.sha256)
                                                   .digest()).decode()},
                   secrets=[SECRET], orders=oms.orders, channel=name, **options)  # fmt: skip
    assert good.external_id == order.external_id


# -- the docs list every key each parser reads -------------------------------------------


class Reads(dict[str, Any]):
    """A JSON object that records every key the parser asks for."""

    seen: set[str]

    def get(self, key: str, default: Any = None) -> Any:
        Reads.seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        Reads.seen.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        Reads.seen.add(str(key))
        return super().__contains__(key)


def _section(heading: str) -> str:
    start = DOCS.index(heading)
    end = DOCS.find("\n### ", start + 1)
    nxt = DOCS.find("\n## ", start + 1)
    end = min(x for x in (end, nxt, len(DOCS)) if x != -1)
    return DOCS[start:end]


def test_every_key_a_parser_reads_is_documented_as_mapped(adapter: Adapter) -> None:
    Reads.seen = set()
    adapter.read(adapter.texts(), loads=lambda t: json.loads(t, parse_float=Decimal,
                                                            object_hook=Reads))  # fmt: skip
    section = _section(adapter.section)
    assert "**Mapped**" in section
    assert "Ignored" in section
    mapped = section[section.index("**Mapped**") :]
    words = {w for token in re.findall(r"`([^`]+)`", mapped)
             for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", token)}  # fmt: skip
    wrappers = {"order", "payload", "Orders", "OrderItems"}  # envelopes around the order
    undocumented = sorted(Reads.seen - words - wrappers)
    assert undocumented == [], f"{adapter.name} reads keys its docs do not list: {undocumented}"
