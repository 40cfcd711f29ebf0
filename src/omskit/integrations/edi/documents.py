"""The X12 004010 sets omskit reads and writes: 850 in; 855, 856, 810 and 997 out.

A [`TradingPartner`][omskit.integrations.edi.documents.TradingPartner] holds what each
retailer's implementation guide decides: its interchange ids, which PO1 product
qualifier carries the item (``VP`` vendor part, ``SK``, ``BP`` buyer part, ``UP``
UPC...), the qualifier echoed back, SCAC codes per carrier, and a part -> SKU map.
Mapping is table-driven by it; nothing partner-specific is coded.

[`parse_850`][omskit.integrations.edi.documents.parse_850] reads each 850 into a
[`PurchaseOrder`][omskit.integrations.edi.documents.PurchaseOrder] whose
``capture_payload`` goes to ``orders.capture`` (the PO number as ``external_id``, the
PO1 unit prices as the channel's prices). The replies are built from omskit's own
objects: the 855 from the captured ``Order``, the 856 from a ``Shipment``, the 810 from
the ``Order`` (amounts to the minor unit: lines + shipping + tax = ``TDS``), and the 997
from the interchange received.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.fulfillment.model import Shipment
from omskit.integrations.channel import address
from omskit.integrations.edi.x12 import (
    Delimiters,
    Interchange,
    Segment,
    TransactionSet,
    X12Error,
    interchange,
    parse,
)
from omskit.money import Money, to_decimal
from omskit.orders.model import Order
from omskit.validation import check_email, check_sku

__all__ = [
    "POLine",
    "PurchaseOrder",
    "TradingPartner",
    "emit_810",
    "emit_855",
    "emit_856",
    "emit_997",
    "parse_850",
]

#: Units of measure the 850 reader accepts (omskit counts units).
UNITS = ("EA",)


@attrs.frozen(kw_only=True)
class TradingPartner:
    """One retailer's EDI settings (from its implementation guide).

    Attributes:
        name: for messages.
        channel: the omskit channel its orders are captured on.
        qualifier / partner_id: the partner's ISA qualifier and id (``"ZZ"``, ``"ACME"``).
        our_qualifier / our_id: ours.
        email: the buyer email captured orders get (an 850 carries none; a ``PER``
            with ``EM`` overrides it).
        currency: when the 850 has no ``CUR``.
        product_qualifiers: PO1 qualifiers that carry the item, in preference order.
        reply_qualifier: the qualifier of the id echoed on 855/856/810 lines
            (the partner's own from the 850 is sent when it gave one).
        sku_map: partner part number -> omskit SKU (default: the part number itself).
        scac: omskit carrier name -> SCAC (``{"ups": "UPSN"}``).
        usage: ``"P"`` production or ``"T"`` test interchanges.
        delimiters: the separators to write with.
    """

    name: str
    channel: str
    qualifier: str
    partner_id: str
    our_qualifier: str = "ZZ"
    our_id: str = "OMSKIT"
    email: str
    currency: str = "USD"
    product_qualifiers: tuple[str, ...] = ("VP", "SK", "VN", "BP", "UP", "IN")
    reply_qualifier: str = "VP"
    sku_map: Mapping[str, str] = attrs.field(factory=dict)
    scac: Mapping[str, str] = attrs.field(factory=dict)
    usage: str = "P"
    delimiters: Delimiters = attrs.field(factory=Delimiters)

    def envelope(self, functional_id: str, sets: Sequence[TransactionSet], *,
                 control_number: int, at: dt.datetime) -> str:  # fmt: skip
        """``sets`` in an interchange to this partner, as X12 text."""
        return interchange(
            sender=(self.our_qualifier, self.our_id),
            receiver=(self.qualifier, self.partner_id), control_number=control_number,
            functional_id=functional_id, sets=sets, at=at, usage=self.usage,
            delimiters=self.delimiters,
        ).to_x12(newline=True)  # fmt: skip


@attrs.frozen
class POLine:
    """One ``PO1``: line number, quantity, unit price and the item's ids."""

    line_number: str
    quantity: int
    unit_price: Decimal
    sku: str
    ids: tuple[tuple[str, str], ...]

    def reply_id(self, partner: TradingPartner) -> tuple[str, str]:
        """The qualifier and id to echo for this line."""
        for qualifier, value in self.ids:
            if qualifier == partner.reply_qualifier:
                return qualifier, value
        return partner.reply_qualifier, self.sku


@attrs.frozen(kw_only=True)
class PurchaseOrder:
    """An 850 read and checked."""

    po_number: str
    purpose: str
    order_type: str
    date: dt.date
    currency: str
    email: str
    ship_to: Mapping[str, str]
    bill_to: Mapping[str, str] | None
    lines: tuple[POLine, ...]
    interchange_control: str
    group_control: str
    set_control: str

    def capture_payload(self, partner: TradingPartner) -> dict[str, Any]:
        """The payload for ``orders.capture``: the PO number as ``external_id``."""
        payload: dict[str, Any] = {
            "channel": partner.channel, "external_id": self.po_number,
            "currency": self.currency, "customer": {"email": self.email},
            "ship_to": dict(self.ship_to),
            "lines": [{"sku": x.sku, "quantity": x.quantity,
                       "unit_price": str(x.unit_price)} for x in self.lines],
            "notes": f"EDI 850 {self.po_number} from {partner.name}",
        }  # fmt: skip
        if self.ship_to.get("name"):
            payload["customer"]["name"] = self.ship_to["name"]
        if self.bill_to:
            payload["bill_to"] = dict(self.bill_to)
        return payload

    def line_map(self) -> dict[str, str]:
        """Omskit line id (``"L1"``...) -> PO101, in capture order."""
        return {f"L{n}": x.line_number for n, x in enumerate(self.lines, start=1)}


# -- 850 in -----------------------------------------------------------------------------


def parse_850(document: str | bytes | Interchange, partner: TradingPartner) -> list[PurchaseOrder]:
    """Every 850 in ``document``, read with ``partner``'s qualifiers and SKU map.

    Raises:
        X12Error: naming the segment and element at fault (an envelope count, a
            quantity that is not whole, a unit of measure other than EA, a line with
            none of the partner's product qualifiers, a CTT01 that does not count the
            PO1 lines...).
    """
    parsed = document if isinstance(document, Interchange) else parse(document)
    orders = []
    for group in parsed.groups:
        if group.functional_id != "PO":
            continue
        for tx in group.sets:
            if tx.set_id != "850":
                continue
            orders.append(_purchase_order(tx, partner, parsed.control_number,
                                          group.control_number))  # fmt: skip
    return orders


def _purchase_order(tx: TransactionSet, partner: TradingPartner, isa: str,
                    gs: str) -> PurchaseOrder:  # fmt: skip
    beg = tx.find("BEG")
    if beg is None:
        first = tx.segments[0] if tx.segments else Segment("SE")
        raise X12Error(first.index, first.id, "", first.id, "an 850 starts with BEG")
    purpose = beg.require(1)
    if purpose not in ("00", "07"):
        raise beg.error(1, purpose, "'00' (original) or '07' (duplicate); changes (850 "
                        "with 01/04) are not read")  # fmt: skip
    po_number = beg.require(3)
    date = beg.date(5)
    currency = partner.currency
    email = partner.email
    parties: dict[str, dict[str, str]] = {}
    lines: list[POLine] = []
    party: dict[str, str] | None = None
    ctt: Segment | None = None
    for seg in tx.segments:
        if seg.id == "CUR":
            currency = seg.require(2)
        elif seg.id == "PER" and seg.get(3) == "EM" and seg.get(4):
            try:
                email = check_email(seg.get(4), "PER04")
            except ValidationError as exc:
                raise seg.error(4, seg.get(4), exc.allowed) from None
        elif seg.id == "N1":
            party = {"name": seg.get(2)}
            parties.setdefault(seg.require(1), party)
        elif seg.id in ("N3", "N4") and party is not None:
            if seg.id == "N3":
                party["line1"], party["line2"] = seg.get(1), seg.get(2)
            else:
                party.update(city=seg.get(1), region=seg.get(2), postal_code=seg.get(3),
                             country=seg.get(4) or "US")  # fmt: skip
        elif seg.id == "PO1":
            party = None
            lines.append(_po1(seg, partner))
        elif seg.id == "CTT":
            ctt = seg
    if not lines:
        raise X12Error(beg.index, "PO1", "", None, "an 850 needs at least one PO1 line")
    if ctt is not None and ctt.get(1) != str(len(lines)):
        raise ctt.error(1, ctt.get(1), f"the set has {len(lines)} PO1 line(s)")
    if "ST" not in parties:
        raise X12Error(beg.index, "N1", "N101", None, "an N1*ST (ship-to) loop is required")
    dropped: list[tuple[str, str, str]] = []
    return PurchaseOrder(
        po_number=po_number, purpose=purpose, order_type=beg.get(2), date=date,
        currency=currency, email=email, ship_to=address(parties["ST"], dropped, "N1*ST"),
        bill_to=address(parties["BT"], dropped, "N1*BT") if "BT" in parties else None,
        lines=tuple(lines), interchange_control=isa, group_control=gs,
        set_control=tx.control_number,
    )  # fmt: skip


def _po1(seg: Segment, partner: TradingPartner) -> POLine:
    qty_text = seg.require(2)
    try:
        qty = to_decimal(qty_text, "PO102")
    except ValidationError:
        raise seg.error(2, qty_text, "a quantity such as '12'") from None
    if qty <= 0 or qty != qty.to_integral_value():
        raise seg.error(2, qty_text, "a whole number of units, at least 1")
    uom = seg.require(3)
    if uom not in UNITS:
        raise seg.error(3, uom, f"one of {', '.join(UNITS)} (omskit counts units)")
    price_text = seg.require(4)
    try:
        price = to_decimal(price_text, "PO104")
    except ValidationError:
        raise seg.error(4, price_text, "a unit price such as '19.95'") from None
    if price < 0:
        raise seg.error(4, price_text, "must not be negative")
    ids = tuple(
        (seg.get(n), seg.get(n + 1)) for n in range(6, len(seg.elements) + 1, 2)
        if seg.get(n) and seg.get(n + 1)
    )  # fmt: skip
    chosen = next(((q, v) for want in partner.product_qualifiers for q, v in ids if q == want),
                  None)  # fmt: skip
    if chosen is None:
        given = ", ".join(q for q, _ in ids) or "none"
        raise seg.error(6, given, f"a product id qualified {', '.join(partner.product_qualifiers)}"
                        f" (partner {partner.name!r})")  # fmt: skip
    sku = partner.sku_map.get(chosen[1], chosen[1])
    try:
        sku = check_sku(sku, "sku")
    except ValidationError as exc:
        raise seg.error(ids.index(chosen) * 2 + 7, chosen[1], exc.allowed) from None
    return POLine(seg.require(1), int(qty), price, sku, ids)


# -- replies out --------------------------------------------------------------------------


def _lines_of(po: PurchaseOrder, order: Order) -> list[tuple[POLine, list[Any]]]:
    """Each PO line with the omskit order lines captured from it."""
    by_number = {x.line_number: x for x in po.lines}
    out: dict[str, tuple[POLine, list[Any]]] = {}
    for ref, number in po.line_map().items():
        line = order.line(ref)
        out.setdefault(number, (by_number[number], []))[1].append(line)
    return list(out.values())


def emit_855(po: PurchaseOrder, order: Order, partner: TradingPartner, *,
             control_number: int, at: dt.datetime) -> str:  # fmt: skip
    """The PO acknowledgment: ``ACK*IA`` accepted, ``IB`` backordered, ``IR`` cancelled."""
    body = []
    changed = False
    for po_line, lines in _lines_of(po, order):
        qualifier, value = po_line.reply_id(partner)
        body.append(Segment.of("PO1", po_line.line_number, po_line.quantity, "EA",
                               po_line.unit_price, None, qualifier, value))  # fmt: skip
        cancelled = sum(x.cancelled for x in lines)
        backordered = sum(x.backordered for x in lines)
        accepted = sum(x.quantity for x in lines) - cancelled - backordered
        for code, qty in (("IA", accepted), ("IB", backordered), ("IR", cancelled)):
            if qty:
                body.append(Segment.of("ACK", code, qty, "EA"))
        changed = changed or bool(cancelled or backordered)
    head = Segment.of("BAK", "00", "AC" if changed else "AD", po.po_number,
                      po.date.strftime("%Y%m%d"))  # fmt: skip
    segments = (head, *body, Segment.of("CTT", len(po.lines)))
    tx = TransactionSet("855", "0001", segments)
    return partner.envelope("PR", [tx], control_number=control_number, at=at)


def emit_856(po: PurchaseOrder, shipment: Shipment, partner: TradingPartner, *,
             control_number: int, at: dt.datetime) -> str:  # fmt: skip
    """The ship notice for ``shipment``: shipment, order, one pack per parcel, items.

    Raises:
        ValidationError: a parcel holds a line that is not from ``po``.
    """
    line_map = po.line_map()
    by_number = {x.line_number: x for x in po.lines}
    when = shipment.created_at.astimezone(dt.UTC)
    grams = sum(p.weight_grams for p in shipment.parcels)
    scac = partner.scac.get(shipment.carrier, shipment.carrier.upper()[:4])
    ship_to = po.ship_to
    body = [
        Segment.of("BSN", "00", shipment.id, when.strftime("%Y%m%d"), when.strftime("%H%M"),
                   "0001"),
        Segment.of("HL", 1, None, "S"),
        Segment.of("TD1", "CTN", len(shipment.parcels), None, None, None, "G",
                   _kilograms(grams), "KG"),
        Segment.of("TD5", None, "2", scac, None, shipment.service),
        Segment.of("REF", "CN", shipment.tracking_numbers[0] if shipment.parcels else ""),
        Segment.of("DTM", "011", when.strftime("%Y%m%d")),
        Segment.of("N1", "ST", ship_to.get("name", "")),
        Segment.of("N3", ship_to.get("line1", ""), ship_to.get("line2", "")),
        Segment.of("N4", ship_to.get("city", ""), ship_to.get("region", ""),
                   ship_to.get("postal_code", ""), ship_to.get("country", "")),
        Segment.of("HL", 2, 1, "O"),
        Segment.of("PRF", po.po_number),
    ]  # fmt: skip
    hl = 2
    for parcel in shipment.parcels:
        hl += 1
        pack = hl
        body += [Segment.of("HL", pack, 2, "P"), Segment.of("MAN", "CP", parcel.tracking_number)]
        for ref, qty in parcel.lines:
            if ref not in line_map:
                raise ValidationError(f"shipment.parcels.lines.{ref}", ref,
                                      f"not a line of PO {po.po_number}")  # fmt: skip
            po_line = by_number[line_map[ref]]
            qualifier, value = po_line.reply_id(partner)
            hl += 1
            body += [Segment.of("HL", hl, pack, "I"),
                     Segment.of("LIN", po_line.line_number, qualifier, value),
                     Segment.of("SN1", None, qty, "EA")]  # fmt: skip
    body.append(Segment.of("CTT", hl))
    tx = TransactionSet("856", "0001", tuple(body))
    return partner.envelope("SH", [tx], control_number=control_number, at=at)


def _kilograms(grams: int) -> str:
    return str((Decimal(grams) / 1000).quantize(Decimal("0.001")))


def _split(total: Money, qty: int) -> list[tuple[int, Decimal]]:
    """``total`` over ``qty`` units as at most two (units, unit price) parts, exactly."""
    base, extra = divmod(total.minor_units, qty)
    out = []
    if extra:
        out.append((extra, Money.from_minor_units(base + 1, total.currency).amount))
    if qty - extra:
        out.append((qty - extra, Money.from_minor_units(base, total.currency).amount))
    return out


def _n2(money: Money) -> str:
    """An amount as X12 ``N2`` (implied decimals: the minor units)."""
    return str(money.quantize().minor_units)


def emit_810(po: PurchaseOrder, order: Order, partner: TradingPartner, *,
             invoice_number: str, control_number: int, at: dt.datetime) -> str:  # fmt: skip
    """The invoice for ``order``'s active units, at omskit's amounts to the minor unit.

    ``IT1`` lines carry net unit prices (a line that does not divide evenly becomes two
    lines of the same item), ``SAC*C*D240`` the shipping, ``TXI*ST`` the tax and ``TDS``
    the gross total, so that lines + shipping + tax = ``TDS`` exactly.
    """
    body = [Segment.of("BIG", at.strftime("%Y%m%d"), invoice_number, None, po.po_number)]
    if order.currency != "USD":
        body.append(Segment.of("CUR", "SE", order.currency))
    ship_to = po.ship_to
    body.append(Segment.of("N1", "ST", ship_to.get("name", "")))
    count = 0
    for po_line, lines in _lines_of(po, order):
        qualifier, value = po_line.reply_id(partner)
        for line in lines:
            if not line.active:
                continue
            for units, price in _split(line.total.net.quantize(), line.active):
                count += 1
                body.append(Segment.of("IT1", po_line.line_number, units, "EA", price, None,
                                       qualifier, value))  # fmt: skip
    total = order.total.gross.quantize()
    body.append(Segment.of("TDS", _n2(total)))
    body.append(Segment.of("TXI", "ST", order.total.tax.quantize().amount))
    if not order.shipping.net.is_zero:
        body.append(Segment.of("SAC", "C", "D240", None, None, _n2(order.shipping.net)))
    body.append(Segment.of("CTT", count))
    tx = TransactionSet("810", "0001", tuple(body))
    return partner.envelope("IN", [tx], control_number=control_number, at=at)


def emit_997(received: Interchange, partner: TradingPartner, *, control_number: int,
             at: dt.datetime, rejected: Mapping[str, str] | None = None) -> str:  # fmt: skip
    """The functional acknowledgment of every group and set in ``received``.

    ``rejected`` maps a set's control number to the reason it was not accepted (it
    gets ``AK5*R*5``); every other set is accepted (``AK5*A``).
    """
    rejected = dict(rejected or {})
    sets: list[TransactionSet] = []
    for group in received.groups:
        body = [Segment.of("AK1", group.functional_id, group.control_number)]
        accepted = 0
        for tx in group.sets:
            body.append(Segment.of("AK2", tx.set_id, tx.control_number))
            if tx.control_number in rejected:
                body.append(Segment.of("AK5", "R", "5"))
            else:
                accepted += 1
                body.append(Segment.of("AK5", "A"))
        status = "A" if accepted == len(group.sets) else ("P" if accepted else "R")
        body.append(Segment.of("AK9", status, len(group.sets), len(group.sets), accepted))
        sets.append(TransactionSet("997", f"{len(sets) + 1:04d}", tuple(body)))
    return partner.envelope("FA", sets, control_number=control_number, at=at)
