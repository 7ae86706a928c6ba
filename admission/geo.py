"""Distances and a deterministic stand-in geocoder used by the admission guarantee.

There is no address register (Matrikkelen/Kartverket) integration yet, so a child's position is estimated
without any network call:

1. the centroid of the admission units that share the child's postal code, if any;
2. otherwise the centroid of all units, shifted by a small deterministic offset (±0.03°, about ±3 km)
   derived from a SHA-256 of the grunnkrets or postal code, so children in the same area land together.

The same input always gives the same position, so the guarantee is reproducible from the export.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable

LatLon = tuple[float, float]

_EARTH_RADIUS_KM = 6371.0
_MAX_OFFSET_DEG = 0.03


def distance_km(a: LatLon, b: LatLon) -> float:
    """Return the great-circle (haversine) distance between two points in kilometres."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _centroid(points: Iterable[LatLon]) -> LatLon | None:
    pts = list(points)
    if not pts:
        return None
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def estimate_position(
    *, postal_code: str, grunnkrets: int | None, units: Iterable[tuple[str, LatLon]]
) -> LatLon | None:
    """Estimate a home position from postal code/grunnkrets and the units' (postal code, position) pairs."""
    unit_list = list(units)
    same_code = _centroid(pos for code, pos in unit_list if postal_code and code == postal_code)
    if same_code is not None:
        return same_code
    centre = _centroid(pos for _code, pos in unit_list)
    if centre is None:
        return None
    key = str(grunnkrets) if grunnkrets else postal_code
    if not key:
        return centre
    digest = hashlib.sha256(key.encode()).digest()
    dlat = (digest[0] / 255 - 0.5) * 2 * _MAX_OFFSET_DEG
    dlon = (digest[1] / 255 - 0.5) * 2 * _MAX_OFFSET_DEG
    return (centre[0] + dlat, centre[1] + dlon)
