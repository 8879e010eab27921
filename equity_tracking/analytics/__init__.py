"""Progress analytics: how every measure, action, goal, bureau and citywide goal is judged.

Pure, vectorised pandas/numpy functions of DataFrames, each judged "as of" a date with nothing
reported later; no Streamlit and no database access in the calculations. ``docs/methodology.md``
explains every formula for the public. The modules:

- :mod:`.values` — which values count as of a date (the as-of rule), per-measure series;
- :mod:`.measures` — the scorecard of every measure: progress, expected progress, health, trend,
  baseline % change, forecast, overdue;
- :mod:`.disparities` — group shares, representation against a benchmark, roll-up groups
  ("People of color"), disparity ratios, equity scores and change scores;
- :mod:`.scores` — the Equity Indicators conversion from ratio to score (``ratio_to_score``);
- :mod:`.actions` — action status, overdue and expected % complete;
- :mod:`.rollups` — goal, plan, bureau, citywide goal, focus area, strategy and city roll-ups;
- :mod:`.states` — state keys with labels, icons and the colour-blind-safe palette;
- :mod:`.frames` — the one place that reads the database (through ``equity_tracking.reads``);
- :mod:`.pipeline` — ``run_analytics``: all of the above in one call.

Names are imported lazily (on first use) so that ``import equity_tracking`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "values": ("TOTAL_GROUP_ID", "total_series", "values_as_of"),
    "scores": ("ratio_to_score", "ratios_to_scores"),
    "measures": ("expected_progress", "expected_values", "measure_status"),
    "disparities": ("disparities_by_period", "disparity_summary", "group_shares", "group_values"),
    "actions": ("action_status",),
    "rollups": ("LEVELS", "all_rollups", "goal_progress", "goal_table", "rollup_goals"),
    "states": (
        "ACTION_STATUS",
        "ACTION_STATUS_ORDER",
        "CANNOT_JUDGE",
        "CATEGORICAL_COLOURS",
        "DISPARITY",
        "FRESHNESS",
        "FRESHNESS_ORDER",
        "HEALTH",
        "HEALTH_ORDER",
        "PALETTE",
        "PROJECTION",
        "TREND",
        "StateStyle",
    ),
    "frames": ("AnalyticsFrames", "load_frames"),
    "pipeline": ("Analytics", "run_analytics"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
