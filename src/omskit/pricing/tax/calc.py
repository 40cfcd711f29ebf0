"""Tax arithmetic: inclusive and exclusive prices, compound taxes, rounding per line or total.

Exact to the minor unit by construction:

* per line, the line's taxes are computed exactly, their *sum* is rounded once with the
  currency's rounding mode, and that rounded sum is split over the line's components by
  largest remainder (so a US state + city rate rounds like the combined rate does);
* per total, each rate's exact tax over all items is rounded once and split back over the
  items by largest remainder;
* inclusive prices keep the gross the customer saw: ``net = gross - tax``; exclusive
  prices keep the net: ``gross = net + tax``. Either way ``gross == net + tax`` exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from omskit.money import allocate
from omskit.pricing.lines import fast_money
from omskit.pricing.tax.model import TaxComponent

__all__ = ["ItemTax", "compute", "gross_factor", "line_tax", "net_gross"]

_ZERO = Decimal(0)
_ONE = Decimal(1)

Comps = tuple[TaxComponent, ...]


class ItemTax:
    """The taxed amounts of one item; ``taxes`` holds (component, taxable, tax) triples."""

    __slots__ = ("gross", "net", "taxes")

    def __init__(
        self, net: Decimal, gross: Decimal, taxes: list[tuple[TaxComponent, Decimal, Decimal]]
    ) -> None:
        self.net = net
        self.gross = gross
        self.taxes = taxes


def _multipliers(comps: Comps) -> tuple[list[Decimal], Decimal]:
    """Each component's tax per unit of net, and the gross-per-net factor."""
    per_net: list[Decimal] = []
    running = _ZERO
    for comp in comps:
        base = _ONE + running if comp.compound else _ONE
        t = comp.fraction * base
        per_net.append(t)
        running += t
    return per_net, _ONE + running


def gross_factor(comps: Comps) -> Decimal:
    """Gross per unit of net under ``comps`` (1.19 for 19 % VAT; 1 with no tax)."""
    if not comps:
        return _ONE
    if len(comps) == 1:
        return _ONE + comps[0].fraction
    return _multipliers(comps)[1]


def _exact(amount: Decimal, comps: Comps, inclusive: bool) -> tuple[Decimal, list[Decimal]]:
    per_net, factor = _multipliers(comps)
    net = amount / factor if inclusive else amount
    return net, [t * net for t in per_net]


def _split(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    if len(weights) == 1:
        return [total]
    if not total:
        return [_ZERO] * len(weights)
    return [m.amount for m in allocate(fast_money(total, currency), weights)]


def _taxables(net: Decimal, comps: Comps, amounts: Sequence[Decimal]) -> list[Decimal]:
    taxable: list[Decimal] = []
    running = _ZERO
    for comp, amount in zip(comps, amounts, strict=True):
        taxable.append(net + running if comp.compound else net)
        running += amount
    return taxable


def _one_tax(
    amount: Decimal, fraction: Decimal, inclusive: bool, unit: Decimal, rounding: str
) -> Decimal:
    """The rounded tax of one component: what `_exact` computes, without the lists."""
    exact = fraction * (amount / (_ONE + fraction)) if inclusive else fraction * amount
    return exact.quantize(unit, rounding=rounding)


def _finish(
    amount: Decimal, comps: Comps, amounts: list[Decimal], inclusive: bool, charged: bool
) -> ItemTax:
    tax = sum(amounts, _ZERO)
    net = amount - tax if inclusive else amount
    if not charged:
        return ItemTax(net, net, [])
    taxable = _taxables(net, comps, amounts)
    return ItemTax(net, net + tax, list(zip(comps, taxable, amounts, strict=True)))


def line_tax(
    amount: Decimal,
    comps: Comps,
    *,
    inclusive: bool,
    charged: bool,
    unit: Decimal,
    rounding: str,
    currency: str,
) -> ItemTax:
    """Tax one item, rounding its taxes on their own (per-line rounding)."""
    if not comps:
        return ItemTax(amount, amount, [])
    if len(comps) == 1:  # the common case, kept fast
        comp = comps[0]
        tax = _one_tax(amount, comp.fraction, inclusive, unit, rounding)
        net = amount - tax if inclusive else amount
        if not charged:
            return ItemTax(net, net, [])
        return ItemTax(net, net + tax, [(comp, net, tax)])
    _net, exact = _exact(amount, comps, inclusive)
    total = sum(exact, _ZERO).quantize(unit, rounding=rounding)
    return _finish(amount, comps, _split(total, exact, currency), inclusive, charged)


def net_gross(
    amount: Decimal,
    comps: Comps,
    *,
    inclusive: bool,
    charged: bool,
    unit: Decimal,
    rounding: str,
) -> tuple[Decimal, Decimal]:
    """Net and gross of one item with per-line rounding (no split over components)."""
    if not comps:
        return amount, amount
    if len(comps) == 1:  # the common case, kept fast
        tax = _one_tax(amount, comps[0].fraction, inclusive, unit, rounding)
    else:
        _net, exact = _exact(amount, comps, inclusive)
        tax = sum(exact, _ZERO).quantize(unit, rounding=rounding)
    net = amount - tax if inclusive else amount
    return (net, net + tax) if charged else (net, net)


def compute(
    amounts: Sequence[Decimal],
    components: Sequence[Comps],
    *,
    inclusive: bool,
    charged: bool,
    scope: str,
    unit: Decimal,
    rounding: str,
    currency: str,
    modes: Sequence[bool] | None = None,
) -> list[ItemTax]:
    """Tax every item; ``components[i]`` are the taxes of ``amounts[i]``.

    ``modes[i]``, when given, says whether ``amounts[i]`` is gross (a cart whose lines
    come in different bases); otherwise every amount is gross when ``inclusive``.
    """
    if modes is not None:
        return _mixed(
            amounts,
            components,
            modes,
            charged=charged,
            scope=scope,
            unit=unit,
            rounding=rounding,
            currency=currency,
        )
    if scope == "line" and charged:
        out: list[ItemTax] = []
        for a, c in zip(amounts, components, strict=True):
            if len(c) == 1:  # line_tax's common case, inlined
                comp = c[0]
                tax = _one_tax(a, comp.fraction, inclusive, unit, rounding)
                net = a - tax if inclusive else a
                out.append(ItemTax(net, net + tax, [(comp, net, tax)]))
            else:
                out.append(line_tax(a, c, inclusive=inclusive, charged=charged, unit=unit,
                                    rounding=rounding, currency=currency))  # fmt: skip
        return out
    if scope == "line" or not charged:
        return [
            line_tax(a, c, inclusive=inclusive, charged=charged, unit=unit, rounding=rounding,
                     currency=currency)
            for a, c in zip(amounts, components, strict=True)
        ]  # fmt: skip
    exact_rows = [
        _exact(a, c, inclusive)[1] if c else [] for a, c in zip(amounts, components, strict=True)
    ]
    groups: dict[tuple[str, Decimal, str, bool], list[tuple[int, int]]] = {}
    for i, comps in enumerate(components):
        for k, comp in enumerate(comps):
            key = (comp.name, comp.rate, comp.jurisdiction, comp.compound)
            groups.setdefault(key, []).append((i, k))
    rounded: list[list[Decimal]] = [[_ZERO] * len(c) for c in components]
    for members in groups.values():
        weights = [exact_rows[i][k] for i, k in members]
        total = sum(weights, _ZERO).quantize(unit, rounding=rounding)
        if not total:
            continue
        for (i, k), part in zip(members, _split(total, weights, currency), strict=True):
            rounded[i][k] = part
    return [
        _finish(a, c, rounded[i], inclusive, charged) if c else ItemTax(a, a, [])
        for i, (a, c) in enumerate(zip(amounts, components, strict=True))
    ]


def _mixed(
    amounts: Sequence[Decimal],
    components: Sequence[Comps],
    modes: Sequence[bool],
    *,
    charged: bool,
    scope: str,
    unit: Decimal,
    rounding: str,
    currency: str,
) -> list[ItemTax]:
    """`compute` for items of different bases: each item keeps its own basis.

    Per total, each rate's exact tax over every item (gross items contribute the tax
    they contain, net items the tax on top) is rounded once and split back by largest
    remainder, as for a cart of one basis.
    """
    rows = list(zip(amounts, components, modes, strict=True))
    if scope == "line" or not charged:
        return [
            line_tax(
                a, c, inclusive=m, charged=charged, unit=unit, rounding=rounding, currency=currency
            )
            for a, c, m in rows
        ]
    exact_rows = [_exact(a, c, m)[1] if c else [] for a, c, m in rows]
    groups: dict[tuple[str, Decimal, str, bool], list[tuple[int, int]]] = {}
    for i, comps in enumerate(components):
        for k, comp in enumerate(comps):
            groups.setdefault((comp.name, comp.rate, comp.jurisdiction, comp.compound), []).append(
                (i, k)
            )
    rounded: list[list[Decimal]] = [[_ZERO] * len(c) for c in components]
    for members in groups.values():
        weights = [exact_rows[i][k] for i, k in members]
        total = sum(weights, _ZERO).quantize(unit, rounding=rounding)
        if not total:
            continue
        for (i, k), part in zip(members, _split(total, weights, currency), strict=True):
            rounded[i][k] = part
    return [
        _finish(a, c, rounded[i], m, charged) if c else ItemTax(a, a, [])
        for i, (a, c, m) in enumerate(rows)
    ]
