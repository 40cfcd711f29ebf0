"""Calling a carrier plugin: its own failures come back as ``CarrierUnavailable``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from omskit.carriers.errors import CarrierUnavailable
from omskit.errors import OmskitError

__all__ = ["carrier_call"]


@contextmanager
def carrier_call(carrier: str, operation: str, *, outcome_unknown: bool = False) -> Iterator[None]:
    """Run a call into carrier ``carrier``; a non-omskit exception becomes an omskit one.

    ``OmskitError`` (a refusal the carrier explains: unserviceable, unknown service...)
    passes through; any other ``Exception`` (``TimeoutError``, ``ConnectionError``, a
    bug in the integration) is raised as ``CarrierUnavailable`` naming the carrier
    and the operation, with the original as ``__cause__``. ``outcome_unknown`` marks
    calls that may have acted before failing (buying a label).
    """
    try:
        yield
    except OmskitError:
        raise
    except Exception as exc:
        raise CarrierUnavailable(carrier, operation, exc, outcome_unknown=outcome_unknown) from exc
