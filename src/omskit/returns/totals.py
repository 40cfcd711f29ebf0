"""An order's totals after its returns: per line, per tax rate, and net sales.

Built from the refund breakdowns the order's RMAs settled (refunds, whether to the card
or to store credit, and the credits exchanges used), never from a second computation,
so they agree with what was paid to the minor unit:

* per line: units sold and returned, the value sold and the value returned (net, tax,
  gross, at the rate charged), restocking fees kept;
* per tax rate (the rate labels pricing charged the line, ``"VAT 19% (DE)"``): goods
  sold and returned, and what remains;
* the order: shipping and duties given back, label costs and caps deducted, everything
  credited back (``refunded``), and ``net_sales = gross_sales - refunded``.

The parts add up: ``sum(line.returned.gross) - fees + shipping + duties - label -
capped == refunded``, and the per-rate sums equal the per-line sums.
"""

from __future__ import annotations

from typing import Any

import attrs

from omskit.money import Money, TaxedMoney
from omskit.orders.model import Order
from omskit.returns.model import Rma

__all__ = ["LineTotals", "RateTotals", "ReturnTotals", "order_totals", "rate_label"]

#: The rate label of a line priced without any tax.
NO_TAX = "no tax"


@attrs.frozen
class LineTotals:
    """One order line: what was sold and what came back.

    Attributes:
        line_id, sku: the line.
        rate: the tax rate label it was charged at.
        units: units sold (not cancelled); ``returned_units``: units credited back.
        sold: what the customer paid for the line (net, gross).
        returned: the value of the units credited back (net, gross).
        fees: restocking fees kept on its returns.
    """

    line_id: str
    sku: str
    rate: str
    units: int
    returned_units: int
    sold: TaxedMoney
    returned: TaxedMoney
    fees: Money

    @property
    def kept(self) -> TaxedMoney:
        """What the line still brings in: ``sold - returned``."""
        return self.sold - self.returned


@attrs.frozen
class RateTotals:
    """Goods sold and returned at one tax rate (shipping is reported on its own)."""

    rate: str
    sold: TaxedMoney
    returned: TaxedMoney

    @property
    def kept(self) -> TaxedMoney:
        """Net sales at this rate: ``sold - returned``."""
        return self.sold - self.returned


@attrs.frozen(kw_only=True)
class ReturnTotals:
    """An order's totals after every return, exchange and claim settled so far.

    Attributes:
        order_id, currency: the order.
        lines: one [`LineTotals`][] per order line.
        rates: one [`RateTotals`][] per tax rate, in the order lines first use them.
        gross_sales: the order's total (lines, shipping, duties).
        shipping: the shipping charged; ``shipping_refunded``: given back.
        duties_refunded: duties given back.
        fees: restocking fees kept; ``label``: return labels deducted; ``capped``: what
            the payment could not give back.
        refunded: everything credited back (``to_card + to_store_credit + to_exchanges``).
        to_card, to_store_credit, to_exchanges: where it went (an exchange's credit paid
            its replacement; a cheaper replacement's difference is in ``to_card``).
    """

    order_id: str
    currency: str
    lines: tuple[LineTotals, ...]
    rates: tuple[RateTotals, ...]
    gross_sales: Money
    shipping: TaxedMoney
    shipping_refunded: Money
    duties_refunded: Money
    fees: Money
    label: Money
    capped: Money
    refunded: Money
    to_card: Money
    to_store_credit: Money
    to_exchanges: Money

    @property
    def net_sales(self) -> Money:
        """What the order brings in after its returns: ``gross_sales - refunded``."""
        return self.gross_sales - self.refunded

    def explain(self) -> str:
        """The totals as readable lines: the order, per line, per rate, the parts."""
        out = [
            f"order {self.order_id}: gross sales {self.gross_sales}, refunded "
            f"{self.refunded}, net sales {self.net_sales}"
        ]
        for x in self.lines:
            fees = f", fees {x.fees}" if x.fees.amount else ""
            out.append(
                f"  {x.line_id} {x.sku} x{x.returned_units}/{x.units} back: "
                f"{x.returned.gross} of {x.sold.gross}{fees} [{x.rate}]"
            )
        for r in self.rates:
            out.append(
                f"  {r.rate}: returned {r.returned.gross} of {r.sold.gross} "
                f"(tax {r.returned.tax} of {r.sold.tax})"
            )
        for name, value in (
            ("shipping refunded", self.shipping_refunded),
            ("duties refunded", self.duties_refunded),
            ("restocking fees kept", self.fees),
            ("return labels deducted", self.label),
            ("capped", self.capped),
        ):
            if value.amount:
                out.append(f"  {name}: {value}")
        out.append(
            f"  paid to the card {self.to_card}, to store credit {self.to_store_credit}, "
            f"to exchanges {self.to_exchanges}"
        )
        return "\n".join(out)


def rate_label(order: Order, line_id: str) -> str:
    """The tax rate(s) pricing charged line ``line_id`` at (``"VAT 19% (DE)"``)."""
    quote: Any = order.quote
    for priced in getattr(quote, "lines", ()) or ():
        if getattr(priced, "ref", "") == line_id:
            labels = [t.label for t in priced.taxes if t.amount.amount]
            return " + ".join(labels) if labels else NO_TAX
    line = order.line(line_id)
    return NO_TAX if line is None or not line.total.tax.amount else "unrecorded rate"


def order_totals(order: Order, rmas: list[Rma]) -> ReturnTotals:
    """The totals of ``order`` after the refunds its ``rmas`` settled."""
    cur = order.currency
    zero = Money.zero(cur).quantize()
    tzero = TaxedMoney(zero, zero)
    back: dict[str, list[Any]] = {x.id: [0, tzero, zero] for x in order.lines}
    shipping = duties = label = capped = refunded = card = credit = exchanges = zero
    for rma in rmas:
        for record in rma.refunds:
            b = record.breakdown
            for x in b.lines:
                slot = back[x.line_id]
                slot[0] += x.quantity
                slot[1] += x.goods
                slot[2] += x.fee
            shipping += b.shipping
            duties += b.duties
            label += b.label
            capped += b.capped
            refunded += b.total
            to_credit = record.credit or zero
            credit += to_credit
            card += record.paid - to_credit
            exchanges += b.total - record.paid
    lines = []
    rates: dict[str, list[TaxedMoney]] = {}
    for line in order.lines:
        units, returned, fees = back[line.id]
        rate = rate_label(order, line.id)
        lines.append(
            LineTotals(line.id, line.sku, rate, line.active, units, line.total, returned, fees)
        )
        sold_back = rates.setdefault(rate, [tzero, tzero])
        sold_back[0] += line.total
        sold_back[1] += returned
    return ReturnTotals(
        order_id=order.id,
        currency=cur,
        lines=tuple(lines),
        rates=tuple(RateTotals(r, s, b) for r, (s, b) in rates.items()),
        gross_sales=order.total.gross,
        shipping=order.shipping,
        shipping_refunded=shipping,
        duties_refunded=duties,
        fees=sum((x.fees for x in lines), zero),
        label=label,
        capped=capped,
        refunded=refunded,
        to_card=card,
        to_store_credit=credit,
        to_exchanges=exchanges,
    )
