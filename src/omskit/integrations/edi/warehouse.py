"""Third-party warehouses by X12 004010: the 940 shipping order out, the 945 advice in.

[`emit_940`][omskit.integrations.edi.warehouse.emit_940] turns a fulfillment order
released to a 3PL location into a Warehouse Shipping Order: ``W05`` (the fulfillment
order id as depositor order number, the channel's order number as PO), the ship-to
``N1`` loop, the warehouse (``N1*WH``), ``G62*10`` requested ship date, ``W66`` with the
SCAC, one ``LX`` / ``W01`` per line and ``W76`` totals.

[`parse_945`][omskit.integrations.edi.warehouse.parse_945] reads the Warehouse Shipping
Advice back: ``W06`` (depositor order = the fulfillment order, shipment id, PO),
``N9*CN`` / ``MAN`` tracking numbers, ``G62*11`` ship date, ``W27`` carrier, one
``W12`` per line (status, ordered, shipped, difference, qualifier and product id) and
``W03`` totals, every count checked. ``WarehouseShipment.picked_for(fo)`` gives the
``{line_ref: units}`` that ``oms.fulfillment.confirm_pick`` takes (accept the
fulfillment order when the warehouse takes the 940); units not shipped are short and
omskit re-routes or backorders them as for any short pick.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from omskit.errors import ValidationError
from omskit.fulfillment.model import FulfillmentOrder
from omskit.integrations.edi.documents import TradingPartner
from omskit.integrations.edi.x12 import Interchange, Segment, TransactionSet, X12Error, parse
from omskit.orders.model import Order

__all__ = ["WarehouseLine", "WarehouseShipment", "emit_940", "parse_945"]

#: ``W1201`` line statuses: complete, partial, shipped as ordered, cancelled.
LINE_STATUSES = ("CC", "PR", "SH", "CP")


def emit_940(fo: FulfillmentOrder, order: Order, partner: TradingPartner, *,
             control_number: int, at: dt.datetime, ship_by: dt.date | None = None,
             scac: str = "") -> str:  # fmt: skip
    """The Warehouse Shipping Order for ``fo`` (released to the partner's warehouse).

    Raises:
        ValidationError: ``fo`` is not ``order``'s, or has nothing left to ship.
    """
    if fo.order_id != order.id:
        raise ValidationError("fo.order_id", fo.order_id, f"a fulfillment order of {order.id}")
    lines = [x for x in fo.lines if x.quantity - x.shipped > 0]
    if not lines:
        raise ValidationError("fo.lines", fo.id, "a fulfillment order with units to ship")
    to = order.ship_to
    body = [
        Segment.of("W05", "N", fo.id, order.external_id),
        Segment.of("N1", "ST", to.name or order.customer_name),
        Segment.of("N3", to.line1, to.line2),
        Segment.of("N4", to.city, to.region, to.postal_code, to.country),
        Segment.of("N1", "WH", fo.location),
        Segment.of("G62", "10", (ship_by or at.date()).strftime("%Y%m%d")),
        Segment.of("W66", "PP", "U", None, None, None, None, None, None, None,
                   scac or None),
    ]  # fmt: skip
    total = 0
    for n, line in enumerate(lines, start=1):
        qty = line.quantity - line.shipped
        total += qty
        body += [Segment.of("LX", n),
                 Segment.of("W01", qty, "EA", None, "VN", line.sku)]  # fmt: skip
    body.append(Segment.of("W76", total))
    tx = TransactionSet("940", "0001", tuple(body))
    return partner.envelope("OW", [tx], control_number=control_number, at=at)


@attrs.frozen
class WarehouseLine:
    """One ``W12``: what the warehouse shipped of one item."""

    status: str
    ordered: int
    shipped: int
    sku: str


@attrs.frozen(kw_only=True)
class WarehouseShipment:
    """A 945 read and checked."""

    fulfillment_order_id: str
    shipment_id: str
    po_number: str
    shipped_on: dt.date | None
    scac: str
    tracking_numbers: tuple[str, ...]
    lines: tuple[WarehouseLine, ...]

    def picked_for(self, fo: FulfillmentOrder) -> dict[str, int]:
        """``{line_ref: units shipped}`` for ``fo`` (for ``confirm_pick``).

        Raises:
            ValidationError: the advice is for another fulfillment order, names an item
                ``fo`` does not hold, or ships more than ``fo`` asked for.
        """
        if fo.id != self.fulfillment_order_id:
            raise ValidationError("W0602", self.fulfillment_order_id, f"the advice for {fo.id}")
        by_sku = {x.sku: x for x in fo.lines}
        out: dict[str, int] = {}
        for line in self.lines:
            held = by_sku.get(line.sku)
            if held is None:
                items = ", ".join(sorted(by_sku))
                raise ValidationError("W1208", line.sku, f"an item of {fo.id}: {items}")
            out[held.line_ref] = out.get(held.line_ref, 0) + line.shipped
            if out[held.line_ref] > held.quantity:
                raise ValidationError("W1203", out[held.line_ref],
                                      f"at most {held.quantity} of {line.sku}")  # fmt: skip
        return {ref: qty for ref, qty in out.items() if qty}


def _whole(seg: Segment, position: int) -> int:
    value = seg.require(position)
    if not value.isdigit():
        raise seg.error(position, value, "a whole number of units")
    return int(value)


def parse_945(document: str | bytes | Interchange,
              partner: TradingPartner) -> list[WarehouseShipment]:  # fmt: skip
    """Every 945 in ``document``.

    Raises:
        X12Error: naming the segment and element at fault (a W12 whose difference is not
            ordered - shipped, a W03 that does not total the W12 lines, a bad date...).
    """
    parsed = document if isinstance(document, Interchange) else parse(document)
    out = []
    for group in parsed.groups:
        if group.functional_id != "SW":
            continue
        for tx in group.sets:
            if tx.set_id == "945":
                out.append(_advice(tx, partner))
    return out


def _advice(tx: TransactionSet, partner: TradingPartner) -> WarehouseShipment:
    w06 = tx.find("W06")
    if w06 is None:
        first = tx.segments[0] if tx.segments else Segment("SE")
        raise X12Error(first.index, first.id, "", first.id, "a 945 starts with W06")
    tracking: list[str] = []
    shipped_on: dt.date | None = None
    scac = ""
    lines: list[WarehouseLine] = []
    w03: Segment | None = None
    for seg in tx.segments:
        tracked = (seg.id, seg.get(1)) in (("N9", "CN"), ("MAN", "CP"))
        if tracked and seg.get(2):
            tracking.append(seg.get(2))
        elif seg.id == "G62" and seg.get(1) == "11":
            shipped_on = seg.date(2)
        elif seg.id == "W27":
            scac = seg.get(2)
        elif seg.id == "W12":
            lines.append(_w12(seg, partner))
        elif seg.id == "W03":
            w03 = seg
    if not lines:
        raise X12Error(w06.index, "W12", "", None, "a 945 needs at least one W12 line")
    if w03 is not None and _whole(w03, 1) != sum(x.shipped for x in lines):
        raise w03.error(1, w03.get(1), f"the W12 lines ship {sum(x.shipped for x in lines)}")
    return WarehouseShipment(
        fulfillment_order_id=w06.require(2), shipment_id=w06.get(4), po_number=w06.get(6),
        shipped_on=shipped_on or (w06.date(3) if w06.get(3) else None), scac=scac,
        tracking_numbers=tuple(dict.fromkeys(tracking)), lines=tuple(lines),
    )  # fmt: skip


def _w12(seg: Segment, partner: TradingPartner) -> WarehouseLine:
    status = seg.require(1)
    if status not in LINE_STATUSES:
        raise seg.error(1, status, f"one of {', '.join(LINE_STATUSES)}")
    ordered = _whole(seg, 2)
    shipped = _whole(seg, 3) if seg.get(3) else 0
    if seg.get(4) and seg.get(4).lstrip("-").isdigit() and int(seg.get(4)) != ordered - shipped:
        raise seg.error(4, seg.get(4), f"ordered - shipped = {ordered - shipped}")
    if seg.get(5) not in ("", "EA"):
        raise seg.error(5, seg.get(5), "EA (omskit counts units)")
    product = seg.get(8)
    if not product:
        raise seg.error(8, product, "the product id (with its qualifier in W1207)")
    sku_map: Mapping[str, str] = partner.sku_map
    return WarehouseLine(status, ordered, shipped, sku_map.get(product, product))
