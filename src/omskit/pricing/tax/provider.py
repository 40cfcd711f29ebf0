"""The built-in rule-based tax provider: destination-based rates from the tax table.

Its decision, in order:

1. no destination address: nothing can be taxed (``no_destination``);
2. a tax-exempt customer: ``exempt`` (tax-inclusive prices drop the tax);
3. an EU business buyer with a valid VAT id (format and check digits, checked with
   python-stdnum) from another member state than the seller's, shipping inside the EU:
   ``reverse_charge`` (the buyer accounts for VAT); an id that fails the check is
   charged VAT and the quote's notes say why;
4. goods leaving the seller's customs territory without checkout collection: ``export``
   (the components are the seller's own taxes, which are not charged);
5. otherwise ``taxed``: the rates of every jurisdiction the address lies in (country,
   region, postal prefix), for each line's tax class, on the quote's day; shipping is
   taxed at the ``shipping_tax_class`` rate where the jurisdiction taxes shipping.
"""

from __future__ import annotations

import re

from omskit.customers.vatid import check_vat_id
from omskit.pricing.tax.model import TaxComponent, TaxDecision, TaxRequest
from omskit.pricing.tax.rules import EU_COUNTRIES

__all__ = ["VAT_ID_PATTERNS", "RuleTaxProvider", "vat_id_country"]

#: Format of VAT identification numbers per EU prefix (after the two-letter prefix),
#: following the European Commission's VIES format table. `vat_id_country` checks
#: only this format; the reverse charge also needs the check digits to be right
#: (`omskit.customers.vatid.check_vat_id`).
VAT_ID_PATTERNS: dict[str, re.Pattern[str]] = {
    prefix: re.compile(pattern)
    for prefix, pattern in {
        "AT": r"U\d{8}", "BE": r"[01]\d{9}", "BG": r"\d{9,10}", "CY": r"\d{8}[A-Z]",
        "CZ": r"\d{8,10}", "DE": r"\d{9}", "DK": r"\d{8}", "EE": r"\d{9}", "EL": r"\d{9}",
        "ES": r"[A-Z0-9]\d{7}[A-Z0-9]", "FI": r"\d{8}", "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
        "HR": r"\d{11}", "HU": r"\d{8}", "IE": r"\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]",
        "IT": r"\d{11}", "LT": r"\d{9}|\d{12}", "LU": r"\d{8}", "LV": r"\d{11}",
        "MT": r"\d{8}", "NL": r"\d{9}B\d{2}", "PL": r"\d{10}", "PT": r"\d{9}",
        "RO": r"\d{2,10}", "SE": r"\d{10}01", "SI": r"\d{8}", "SK": r"\d{10}",
    }.items()
}  # fmt: skip


def vat_id_country(vat_id: str | None) -> str | None:
    """The member state of an EU VAT id of the right *format* (``"EL..."`` is ``"GR"``).

    Format only: see `omskit.customers.vatid.check_vat_id` for the check digits.
    """
    if not vat_id or len(vat_id) < 4:
        return None
    prefix, number = vat_id[:2].upper(), vat_id[2:].upper()
    pattern = VAT_ID_PATTERNS.get(prefix)
    if pattern is None or not pattern.fullmatch(number):
        return None
    return "GR" if prefix == "EL" else prefix


def _home_taxes(request: TaxRequest) -> tuple[tuple[TaxComponent, ...], ...]:
    """The seller's own taxes on each item: what an export does *not* charge.

    A tax-inclusive price contains them, so an untaxed export can take them out.
    """
    origin = request.origin_country
    if not origin:
        return tuple(() for _ in request.items)
    rules, day = request.rules, request.on
    shipping_taxed = rules.shipping_taxable(origin)
    return tuple(
        ()
        if item.index < 0 and not shipping_taxed
        else rules.components(origin, "", "", item.tax_class, day)[0]
        for item in request.items
    )


class RuleTaxProvider:
    """Destination-based taxes from the host's table and the built-in rates."""

    name = "rules"
    #: The decision rests on the destination, the day, the tax classes, the customer's
    #: exemption and VAT id, the origin and whether the goods are exported, never on the
    #: amounts: the same facts give the same (immutable) decision, so the engine may
    #: remember it per rate table (any provider may declare this about itself).
    decides_from_facts = True

    def decide(self, request: TaxRequest) -> TaxDecision:
        """See the module docstring for the order of the rules."""
        items = request.items
        dest = request.destination
        if dest is None:
            return TaxDecision(
                "no_destination",
                tuple(() for _ in items),
                ("no ship-to address and no origin country: no tax computed",),
                self.name,
            )
        customer = request.customer
        country, region, postal = dest.country, dest.region, dest.postal_code
        if request.export:
            return TaxDecision(
                "export",
                _home_taxes(request),
                (f"export to {country}: no {request.origin_country} tax; import taxes "
                 "are due at the border",),
                self.name,
            )  # fmt: skip
        rules = request.rules
        day = request.on
        notes: list[str] = []
        shipping_taxed = rules.shipping_taxable(country, region, postal)
        comps: list[tuple[TaxComponent, ...]] = []
        for item in items:
            if item.index < 0 and not shipping_taxed:
                comps.append(())
                continue
            found, note = rules.components(country, region, postal, item.tax_class, day)
            if note and note not in notes:
                notes.append(note)
            comps.append(found)
        if not shipping_taxed and any(item.index < 0 for item in items):
            notes.append(f"shipping is not taxed in {dest.country}")
        if not rules.has_rates(country):
            notes.append(f"no tax rates known for {country}: nothing charged")
        else:
            notes.insert(0, f"rates for {country} from the {rules.source(country)}")
        treatment = "taxed"
        if customer is not None and customer.tax_exempt:
            treatment = "exempt"
            notes.append("tax-exempt customer: no tax charged")
        elif customer is not None and customer.vat_id:
            seller = request.origin_country
            if seller in EU_COUNTRIES and country in EU_COUNTRIES:
                vat = check_vat_id(customer.vat_id)
                buyer = vat.country
                if not vat.valid:
                    notes.append(
                        f"buyer VAT id {vat.number} is not valid ({vat.problem}): no reverse "
                        "charge, VAT charged"
                    )
                elif buyer in EU_COUNTRIES and buyer != seller:
                    treatment = "reverse_charge"
                    notes.append(
                        f"EU reverse charge: buyer VAT id {vat.number} ({buyer}), seller in "
                        f"{seller}; VAT is accounted for by the buyer "
                        f"(Council Directive 2006/112/EC, art. 196)"
                    )
        return TaxDecision(treatment, tuple(comps), tuple(notes), self.name)  # type: ignore[arg-type]
