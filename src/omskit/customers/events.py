"""Events recorded for customers."""

from __future__ import annotations

import attrs

from omskit.events import Event

__all__ = ["CustomerRegistered", "CustomerUpdated"]


@attrs.frozen(kw_only=True)
class CustomerRegistered(Event):
    """A new customer was registered."""

    customer_id: str
    email: str


@attrs.frozen(kw_only=True)
class CustomerUpdated(Event):
    """Fields of a customer changed; ``changed`` names them."""

    customer_id: str
    changed: tuple[str, ...]
