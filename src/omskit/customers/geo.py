"""Points on the globe and the great-circle distance between them."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.validation import Problems

__all__ = ["GeoPoint", "check_coordinate"]

_EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def check_coordinate(value: Any, field: str, limit: float) -> float:
    """A latitude (``limit=90``) or longitude (``limit=180``) in degrees.

    Coordinates are measurements, not money, so floats are fine here.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValidationError(field, value, f"expected degrees between -{limit} and {limit}")
    try:
        number = float(value)
    except (ValueError, OverflowError):  # OverflowError: an integer beyond any float
        raise ValidationError(field, value, "expected a number of degrees") from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise ValidationError(field, value, f"expected degrees between -{limit} and {limit}")
    return number


@attrs.frozen
class GeoPoint:
    """A latitude / longitude pair in decimal degrees (WGS 84)."""

    lat: float
    lon: float

    @classmethod
    def of(cls, lat: Any, lon: Any, field: str = "") -> GeoPoint:
        """A validated point; ``field`` prefixes the names in errors.

        Raises:
            ValidationError: naming every bad coordinate (both, when both are missing).
        """
        prefix = f"{field}." if field else ""
        problems = Problems()
        clean_lat = problems.check(f"{prefix}lat", check_coordinate, lat, 90)
        clean_lon = problems.check(f"{prefix}lon", check_coordinate, lon, 180)
        problems.raise_if_any()
        assert clean_lat is not None
        assert clean_lon is not None
        return cls(clean_lat, clean_lon)

    def distance_km(self, other: GeoPoint) -> float:
        """Great-circle (haversine) distance to ``other`` in kilometres."""
        phi1, phi2 = math.radians(self.lat), math.radians(other.lat)
        dphi = phi2 - phi1
        dlmb = math.radians(other.lon - self.lon)
        h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
        return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
