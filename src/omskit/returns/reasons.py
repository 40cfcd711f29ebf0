"""Return reasons: a configurable, nestable list, not an enum.

Each reason has a ``code``, a ``label`` and optional ``children``; ``our_fault`` (the
merchant's error: defective, damaged, wrong item) is inherited by children and waives
restocking fees and label costs. A request may name any code of the tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from omskit.returns.errors import report
from omskit.validation import Problems, check_bool, check_mapping, check_text

__all__ = ["DEFAULT_REASONS", "Reason", "ReasonTree"]


@attrs.frozen
class Reason:
    """One return reason.

    Attributes:
        code: what a request names (``"too_small"``).
        label: what a person reads (``"Too small"``).
        parent: the code of the reason it sits under (``""`` at the top).
        our_fault: the merchant's error: fees and label costs are waived.
    """

    code: str
    label: str
    parent: str = ""
    our_fault: bool = False


#: The reasons used when configuration names none (after Shopify's and Magento's).
DEFAULT_REASONS: tuple[Mapping[str, Any], ...] = (
    {
        "code": "unwanted",
        "label": "No longer wanted",
        "children": [
            {"code": "changed_mind", "label": "Changed my mind"},
            {"code": "better_price", "label": "Found a better price"},
        ],
    },
    {
        "code": "fit",
        "label": "Does not fit",
        "children": [
            {"code": "too_small", "label": "Too small"},
            {"code": "too_large", "label": "Too large"},
        ],
    },
    {
        "code": "quality",
        "label": "Quality problem",
        "our_fault": True,
        "children": [
            {"code": "defective", "label": "Defective"},
            {"code": "damaged", "label": "Arrived damaged"},
            {"code": "not_as_described", "label": "Not as described"},
        ],
    },
    {"code": "wrong_item", "label": "Wrong item sent", "our_fault": True},
    {"code": "lost", "label": "Lost in transit", "our_fault": True},
    {"code": "other", "label": "Other"},
)


class ReasonTree:
    """The configured reasons by code, in the order they were given."""

    def __init__(self, reasons: Iterable[Reason]) -> None:
        self._by_code = {r.code: r for r in reasons}

    @classmethod
    def parse(cls, raw: Any, field: str = "returns.reasons") -> ReasonTree:
        """Build from a nested list of ``{"code", "label", "our_fault", "children"}``."""
        problems = Problems()
        found: list[Reason] = []
        seen: set[str] = set()

        def walk(items: Any, where: str, parent: str, fault: bool) -> None:
            if not isinstance(items, Sequence) or isinstance(items, str):
                report(problems, where, "expected a list of reasons", items)
                return
            for i, item in enumerate(items):
                at = f"{where}[{i}]"
                data = problems.check(at, check_mapping, item)
                if data is None:
                    continue
                for key in sorted(set(data) - {"code", "label", "our_fault", "children"}):
                    report(
                        problems,
                        f"{at}.{key}",
                        "unknown key; allowed: code, label, our_fault, children",
                        data[key],
                    )
                code = problems.check(f"{at}.code", check_text, data.get("code"), max_length=64)
                label = data.get("label", code)
                label = problems.check(f"{at}.label", check_text, label, max_length=200)
                own = data.get("our_fault", False)
                own = problems.check(f"{at}.our_fault", check_bool, own)
                if code is None or label is None or own is None:
                    continue
                if code in seen:
                    report(problems, f"{at}.code", "each reason code may appear once", code)
                    continue
                seen.add(code)
                found.append(Reason(code, label, parent, fault or own))
                if "children" in data:
                    walk(data["children"], f"{at}.children", code, fault or own)

        walk(raw, field, "", False)
        problems.raise_if_any()
        return cls(found)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Any:
        return iter(self._by_code.values())

    def get(self, code: str) -> Reason:
        """The reason ``code`` (the caller checked it is known)."""
        return self._by_code[code]

    def codes(self) -> list[str]:
        """Every code, parents before their children."""
        return list(self._by_code)
