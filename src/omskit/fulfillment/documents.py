"""Warehouse and shipping documents as plain text and HTML.

Pick lists, packing slips, labels (the carrier's document) and commercial invoices for
parcels that cross a customs border. Money goes through [`omskit.money.format_money`][]
and dates through `babel.dates`, in the recipient's locale; every value placed in
HTML is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from functools import lru_cache

import attrs
import babel
import babel.dates
import babel.languages

from omskit.carriers.base import address_lines
from omskit.carriers.model import Label
from omskit.customers.address import Address
from omskit.customers.regions import EU_CUSTOMS_UNION, customs_territory
from omskit.fulfillment.picking import PickList
from omskit.money import LocaleLike, Money, format_money, sum_money
from omskit.validation import check_locale

__all__ = [
    "EU_CUSTOMS_UNION",
    "CommercialInvoice",
    "CustomsLine",
    "Document",
    "SlipLine",
    "crosses_customs",
    "locale_for",
    "render_commercial_invoice",
    "render_label",
    "render_packing_slip",
    "render_pick_list",
]


def crosses_customs(origin: str, destination: str) -> bool:
    """True when a parcel from ``origin`` to ``destination`` needs customs papers."""
    return customs_territory(origin) != customs_territory(destination)


@lru_cache(maxsize=256)
def locale_for(country: str, fallback: str = "en_US") -> str:
    """A locale for readers in ``country``: its first official language (``de_CH``)."""
    for language in babel.languages.get_official_languages(country, de_facto=True):
        try:
            return str(babel.Locale.parse(f"{language}_{country}"))
        except (ValueError, babel.UnknownLocaleError):
            continue
    return fallback


@attrs.frozen
class Document:
    """A rendered document: ``kind``, a title, and the same content as text and HTML."""

    kind: str
    title: str
    text: str
    html: str


def _date(value: dt.date | dt.datetime, locale: str) -> str:
    day = value.date() if isinstance(value, dt.datetime) else value
    return babel.dates.format_date(day, "long", locale=locale)


def _html(title: str, parts: Iterable[str]) -> str:
    body = "\n".join(parts)
    return f'<article class="omskit-document">\n<h1>{html.escape(title)}</h1>\n{body}\n</article>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line.rstrip(), "-" * len(line.rstrip())]
    out.extend("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
    return out


def _address_html(label: str, address: Address) -> str:
    lines = "<br>".join(html.escape(x) for x in address_lines(address))
    return f"<p><strong>{html.escape(label)}</strong><br>{lines}</p>"


def render_pick_list(
    pick_list: PickList,
    *,
    names: dict[str, str] | None = None,
    printed_at: dt.datetime,
    locale: LocaleLike = "en_US",
) -> Document:
    """The pick walk for one location: stop, bin, SKU, name, quantity, for which lines."""
    loc = check_locale(locale)
    names = names or {}
    title = f"Pick list {pick_list.location}"
    headers = ("#", "Bin", "SKU", "Item", "Qty", "For")
    rows = [
        (
            str(n),
            t.bin.code if t.bin else "(no bin)",
            t.sku,
            names.get(t.sku, ""),
            str(t.quantity),
            ", ".join(f"{s.reference}:{s.quantity}" for s in t.sources),
        )
        for n, t in enumerate(pick_list.tasks, 1)
    ]
    summary = (
        f"{pick_list.units} unit(s), {len(pick_list.tasks)} stop(s); walk "
        f"{pick_list.path_length_m:.1f} m (line order: {pick_list.line_order_length_m:.1f} m)"
    )
    head = [
        title,
        f"Printed {_date(printed_at, loc)}",
        f"Orders: {', '.join(pick_list.references)}",
        summary,
        "",
    ]
    text = "\n".join([*head, *_text_table(headers, rows)])
    markup = _html(
        title,
        [
            f"<p>Printed {html.escape(_date(printed_at, loc))}; orders "
            f"{html.escape(', '.join(pick_list.references))}</p>",
            f"<p>{html.escape(summary)}</p>",
            _table(headers, rows),
        ],
    )
    return Document("pick_list", title, text, markup)


@attrs.frozen
class SlipLine:
    """One line of a packing slip."""

    sku: str
    name: str
    quantity: int


def render_packing_slip(
    *,
    order_ref: str,
    shipment_id: str,
    parcel_no: int,
    parcel_count: int,
    ship_to: Address,
    lines: Sequence[SlipLine],
    printed_at: dt.datetime,
    locale: LocaleLike | None = None,
    note: str = "",
) -> Document:
    """What is in one parcel, for the person who opens it (in their locale)."""
    loc = check_locale(locale or locale_for(ship_to.country))
    title = f"Packing slip {order_ref} - parcel {parcel_no} of {parcel_count}"
    headers = ("SKU", "Item", "Qty")
    rows = [(x.sku, x.name, str(x.quantity)) for x in lines]
    text = "\n".join(
        [
            title,
            f"Shipment {shipment_id}, {_date(printed_at, loc)}",
            "Ship to:",
            *(f"  {a}" for a in address_lines(ship_to)),
            "",
            *_text_table(headers, rows),
            *([f"\n{note}"] if note else []),
        ]
    )
    markup = _html(
        title,
        [
            f"<p>Shipment {html.escape(shipment_id)}, {html.escape(_date(printed_at, loc))}</p>",
            _address_html("Ship to", ship_to),
            _table(headers, rows),
            f"<p>{html.escape(note)}</p>" if note else "",
        ],
    )
    return Document("packing_slip", title, text, markup)


def render_label(label: Label) -> Document:
    """The carrier's label document, wrapped (HTML keeps it preformatted)."""
    title = f"Label {label.carrier} {label.tracking_number}"
    return Document(
        "label", title, label.document, _html(title, [f"<pre>{html.escape(label.document)}</pre>"])
    )


@attrs.frozen
class CustomsLine:
    """What customs needs per line: description, HS code, origin, quantity, value, weight."""

    sku: str
    description: str
    hs_code: str
    origin: str
    quantity: int
    value: Money
    weight_grams: int

    @property
    def unit_value(self) -> Money:
        """The value of one unit (rounded half-up to the currency's minor unit)."""
        return Money(self.value.amount / self.quantity, self.value.currency).quantize()


@attrs.frozen
class CommercialInvoice:
    """The papers for a parcel crossing a customs border."""

    number: str
    issued: dt.date
    shipper: Address
    recipient: Address
    lines: tuple[CustomsLine, ...]
    currency: str
    incoterm: str = "DAP"
    reason: str = "sale"
    tracking_number: str = ""

    @property
    def total_value(self) -> Money:
        """The customs value of every line."""
        return sum_money((x.value for x in self.lines), self.currency)

    @property
    def total_weight_grams(self) -> int:
        """The net weight of every line."""
        return sum(x.weight_grams for x in self.lines)


def render_commercial_invoice(
    invoice: CommercialInvoice, locale: LocaleLike | None = None
) -> Document:
    """The commercial invoice, money and dates in the recipient's locale."""
    loc = check_locale(locale or locale_for(invoice.recipient.country))
    title = f"Commercial invoice {invoice.number}"
    headers = ("SKU", "Description", "HS code", "Origin", "Qty", "Unit value", "Value", "Net kg")
    rows = [
        (
            x.sku,
            x.description,
            x.hs_code,
            x.origin,
            str(x.quantity),
            format_money(x.unit_value, loc),
            format_money(x.value, loc),
            f"{x.weight_grams / 1000:.3f}",
        )
        for x in invoice.lines
    ]
    facts = [
        f"Date: {_date(invoice.issued, loc)}",
        f"Incoterm: {invoice.incoterm}; reason for export: {invoice.reason}",
        f"Tracking: {invoice.tracking_number}" if invoice.tracking_number else "",
        f"Total value: {format_money(invoice.total_value, loc)}; "
        f"net weight {invoice.total_weight_grams / 1000:.3f} kg",
    ]
    facts = [f for f in facts if f]
    text = "\n".join(
        [
            title,
            "Shipper:",
            *(f"  {a}" for a in address_lines(invoice.shipper)),
            "Recipient:",
            *(f"  {a}" for a in address_lines(invoice.recipient)),
            *facts,
            "",
            *_text_table(headers, rows),
        ]
    )
    markup = _html(
        title,
        [
            _address_html("Shipper", invoice.shipper),
            _address_html("Recipient", invoice.recipient),
            *(f"<p>{html.escape(f)}</p>" for f in facts),
            _table(headers, rows),
        ],
    )
    return Document("commercial_invoice", title, text, markup)
