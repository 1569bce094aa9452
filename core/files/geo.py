"""Great-circle distance between consecutive GPS fixes, vectorised.

Written with numpy rather than gpxpy's per-point `haversine_distance` because it runs over
whole tracks at once (tens of thousands of points) and is shared by the GPX and TCX readers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_M = 6371008.8  # IUGG mean radius, as in the reference computation


def step_distances_m(
    lat_deg: NDArray[np.float64], lng_deg: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Distance from each fix to the next (length n-1); NaN where either fix is missing."""
    lat = np.radians(lat_deg)
    lng = np.radians(lng_deg)
    dlat = np.diff(lat)
    dlng = np.diff(lng)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlng / 2) ** 2
    # numpy types ufunc results as arrays of any dtype; these are float64 like their inputs.
    steps: NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return steps
