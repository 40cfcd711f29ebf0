"""Documents for stored fulfillment data: pick lists, packing slips, labels, invoices.

Reached as ``oms.fulfillment.documents``; the renderers themselves are pure
([`omskit.fulfillment.documents`][]).
"""

from __future__ import annotations

from typing import Any

from omskit.carriers.records import LABELS
from omskit.catalog.model import PRODUCTS
from omskit.fulfillment.documents import (
    CommercialInvoice,
    CustomsLine,
    Document,
    SlipLine,
    crosses_customs,
    render_commercial_invoice,
    render_label,
    render_packing_slip,
    render_pick_list,
)
from omskit.fulfillment.model import SHIPMENTS, Shipment
from omskit.fulfillment.picking import PickList
from omskit.money import LocaleLike, Money, allocate
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork

__all__ = ["Paperwork"]


class Paperwork:
    """Renders the documents of pick lists and shipments, in the recipient's locale."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def _load(self, shipment_id: str) -> tuple[UnitOfWork, Shipment, Order]:
        uow = self._rt.storage.unit_of_work()
        shipment = uow.repo(SHIPMENTS).get(shipment_id)
        return uow, shipment, uow.repo(ORDERS).get(shipment.order_id)

    def pick_list(self, pick: PickList, locale: LocaleLike = "en_US") -> Document:
        """The pick list as text and HTML, with product names."""
        with self._rt.storage.unit_of_work() as uow:
            products = uow.repo(PRODUCTS)
            names = {t.sku: p.name for t in pick.tasks if (p := products.find(t.sku))}
        return render_pick_list(pick, names=names, printed_at=self._rt.clock.now(), locale=locale)

    def packing_slips(self, shipment_id: str, locale: LocaleLike | None = None) -> list[Document]:
        """One packing slip per parcel of the shipment."""
        uow, shipment, order = self._load(shipment_id)
        with uow:
            products = uow.repo(PRODUCTS)
            skus = {x.id: x.sku for x in order.lines}
            slips = []
            for n, parcel in enumerate(shipment.parcels, 1):
                lines = [
                    SlipLine(skus[ref], products.get(skus[ref]).name, qty)
                    for ref, qty in parcel.lines
                ]
                slips.append(
                    render_packing_slip(
                        order_ref=order.external_id or order.id,
                        shipment_id=shipment.id,
                        parcel_no=n,
                        parcel_count=len(shipment.parcels),
                        ship_to=order.ship_to,
                        lines=lines,
                        printed_at=shipment.created_at,
                        locale=locale,
                        note=f"Tracking {parcel.tracking_number}",
                    )
                )
            return slips

    def labels(self, shipment_id: str) -> list[Document]:
        """The carrier labels of every parcel."""
        uow, shipment, _order = self._load(shipment_id)
        with uow:
            repo = uow.repo(LABELS)
            found = [
                repo.find_by("tracking", (shipment.carrier, n)) for n in shipment.tracking_numbers
            ]
            return [render_label(r.label) for r in found if r is not None]

    def invoice(self, shipment_id: str) -> CommercialInvoice | None:
        """The commercial invoice data, or ``None`` when the parcel stays in one customs area.

        Customs lines come from the order's quote when pricing declared them, else from
        the catalog (HS code, origin, weight) and the order lines' net value.
        """
        uow, shipment, order = self._load(shipment_id)
        with uow:
            label = uow.repo(LABELS).find_by(
                "tracking", (shipment.carrier, shipment.tracking_numbers[0])
            )
            shipper = label.label.ship_from if label is not None else None
            if shipper is None or not crosses_customs(shipper.country, order.ship_to.country):
                return None
            declared = _declared(order)
            products = uow.repo(PRODUCTS)
            lines = []
            for ref, qty in shipment.lines.items():
                line = order.line(ref)
                product = products.get(line.sku)
                source = declared.get(ref)
                value = _share(
                    source.customs_value if source else line.total.net,
                    qty,
                    source.quantity if source else line.active,
                )
                lines.append(
                    CustomsLine(
                        sku=line.sku,
                        description=(source.description if source else product.name),
                        hs_code=(source.hs_code if source else None) or product.hs_code or "",
                        origin=(source.country_of_origin if source else None)
                        or product.country_of_origin
                        or "",
                        quantity=qty,
                        value=value,
                        weight_grams=product.weight_grams * qty,
                    )
                )
            return CommercialInvoice(
                number=f"CI-{shipment.id}",
                issued=shipment.created_at.date(),
                shipper=shipper,
                recipient=order.ship_to,
                lines=tuple(lines),
                currency=order.currency,
                incoterm=order.incoterm,
                tracking_number=", ".join(shipment.tracking_numbers),
            )

    def commercial_invoice(
        self, shipment_id: str, locale: LocaleLike | None = None
    ) -> Document | None:
        """The commercial invoice rendered, or ``None`` when no customs border is crossed."""
        invoice = self.invoice(shipment_id)
        return None if invoice is None else render_commercial_invoice(invoice, locale)


def _declared(order: Order) -> dict[str, Any]:
    """Customs lines from the order's quote, by order line id (matched by position)."""
    customs = getattr(order.quote, "customs", None) or ()
    by_index = {getattr(c, "index", None): c for c in customs}
    out: dict[str, Any] = {}
    for position, line in enumerate(order.lines):
        found = by_index.get(position)
        if found is not None and getattr(found, "sku", None) == line.sku:
            out[line.id] = found
    return out


def _share(value: Money, part: int, whole: int) -> Money:
    """The exact share of ``value`` that ``part`` of ``whole`` units carry."""
    if part >= whole or whole <= 0:
        return value
    return allocate(value.quantize(), [part, whole - part])[0]
