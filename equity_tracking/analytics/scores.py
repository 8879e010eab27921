"""Equity scores: the Equity Indicators conversion from a disparity ratio to a score of 1–100.

Owns the conversion table in ``docs/domain.md`` (the method of CUNY's Institute for State and Local
Governance): the ratio, larger ÷ smaller and rounded to 3 decimals, falls in a band; within the band
the score is ``top − floor((ratio − low) / step)``. The arithmetic is done in whole thousandths so
that no binary rounding moves a ratio across a point (1.015 is 1015/1000 exactly, not 1.01499…).

This module is imported by ``import equity_tracking``; numpy and pandas are imported only by the
vectorised variant, so that the package itself stays light to import.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# (low, top, step) in thousandths of a ratio: a band runs from ``low`` up to the next band's low.
SCORE_BANDS_THOUSANDTHS = (
    (1000, 100, 5),
    (1100, 80, 20),
    (1500, 60, 25),
    (2000, 40, 150),
    (5000, 20, 250),
)
RATIO_FOR_LOWEST_SCORE_THOUSANDTHS = 10_000
LOWEST_SCORE = 1
HIGHEST_SCORE = 100


# Rounding is half-up, as people round: 1.0145 → 1.015. In binary 1.0145 × 1000 is 1014.4999…, so a
# tolerance far below any meaningful digit (a millionth of a thousandth) absorbs that error.
_HALF_UP_TOLERANCE = 1e-6


def _thousandths(ratio: float) -> int:
    # Capped so that a huge ratio (1e308 × 1000 overflows to inf) still lands in the last band.
    return math.floor(min(ratio, 1e6) * 1000 + 0.5 + _HALF_UP_TOLERANCE)


def round_ratios(ratios: np.ndarray) -> np.ndarray:
    """Disparity ratios rounded to 3 decimals, half up (1.0145 → 1.015), as the method rounds them
    before scoring and as they are printed; NaN and infinity stay as they are."""
    import numpy as np

    values = np.asarray(ratios, dtype=float)
    finite = np.isfinite(values)
    safe = np.minimum(np.where(finite, values, 0.0), 1e6)
    return np.where(finite, np.floor(safe * 1000 + 0.5 + _HALF_UP_TOLERANCE) / 1000, values)


def ratio_to_score(ratio: float) -> int:
    """The equity score (1 = most inequality, 100 = none) for a disparity ratio of 1 or more.

    >>> ratio_to_score(2), ratio_to_score(5), ratio_to_score(12.5)
    (40, 20, 1)

    Raises ``ValueError`` for a ratio below 1 (after rounding) or one that is not a number; the
    vectorised :func:`ratios_to_scores` returns a missing score instead.
    """
    if ratio is None or math.isnan(ratio):
        raise ValueError("A disparity ratio is needed to give an equity score.")
    thousandths = _thousandths(ratio)
    if thousandths < 1000:
        raise ValueError(f"A disparity ratio is larger ÷ smaller, so at least 1; got {ratio!r}.")
    if thousandths >= RATIO_FOR_LOWEST_SCORE_THOUSANDTHS:
        return LOWEST_SCORE
    low, top, step = next(band for band in reversed(SCORE_BANDS_THOUSANDTHS) if thousandths >= band[0])
    return top - (thousandths - low) // step


def ratios_to_scores(ratios: pd.Series) -> pd.Series:
    """:func:`ratio_to_score` for a whole Series at once: nullable ``Int64``, missing (``<NA>``)
    where the ratio is missing or below 1."""
    import numpy as np
    import pandas as pd

    values = pd.to_numeric(ratios, errors="coerce").astype(float).to_numpy()
    finite = np.isfinite(values)
    # Round to 3 decimals first, exactly as the scalar does, then work in integer thousandths;
    # +inf (a zero in the denominator) is "10 or more".
    thousandths = np.where(
        finite,
        np.floor(np.minimum(np.where(finite, values, 0), 1e6) * 1000 + 0.5 + _HALF_UP_TOLERANCE),
        np.where(values == np.inf, RATIO_FOR_LOWEST_SCORE_THOUSANDTHS, 0),
    )
    valid = thousandths >= 1000
    safe = np.where(valid, thousandths, 1000).astype(np.int64)
    lows = np.array([band[0] for band in SCORE_BANDS_THOUSANDTHS])
    band = np.searchsorted(lows, safe, side="right") - 1
    tops = np.array([band_[1] for band_ in SCORE_BANDS_THOUSANDTHS])[band]
    steps = np.array([band_[2] for band_ in SCORE_BANDS_THOUSANDTHS])[band]
    scores = tops - (safe - lows[band]) // steps
    scores = np.where(safe >= RATIO_FOR_LOWEST_SCORE_THOUSANDTHS, LOWEST_SCORE, scores)
    result = pd.array(scores, dtype="Int64")
    result[~valid] = pd.NA
    return pd.Series(result, index=ratios.index, name="equity_score")
