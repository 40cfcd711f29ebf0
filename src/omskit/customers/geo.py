"""Points on the globe and the great-circle distance between them."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import attrs

from omskit.errors import ValidationError

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
        """A validated point; ``field`` prefixes the names in errors."""
        prefix = f"{field}." if field else ""
        return cls(
            check_coordinate(lat, f"{prefix}lat", 90), check_coordinate(lon, f"{prefix}lon", 180)
        )

    def distance_km(self, other: GeoPoint) -> float:
        """Great-circle (haversine) distance to ``other`` in kilometres."""
        phi1, phi2 = math.radians(self.lat), math.radians(other.lat)
        dphi = phi2 - phi1
        dlmb = math.radians(other.lon - self.lon)
        h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
        return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
