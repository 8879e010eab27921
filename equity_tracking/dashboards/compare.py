"""Compare bureaus on one focus area or on one measure that several bureaus report.

Pure functions of the analytics and a few small reads (``goals``, ``bureaus``, ``focus_areas``,
``measure_definitions``). A bureau's progress in a focus area is the mean progress of its bureau
goals in that focus area (:func:`equity_tracking.dashboards.common.bureau_progress`); a measure is
compared on its scorecard row from the public analytics (current value, target, progress, health);
a measure with no better direction is tracked, never judged, here as everywhere.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from equity_tracking.analytics.states import HEALTH
from equity_tracking.dashboards.common import bureau_progress, health_texts
from equity_tracking.formatting import number, percent
from equity_tracking.suppression import PublicView

# What to compare by; the words are also the URL's values (``?by=Measure``), as Streamlit keeps a
# segmented control's displayed option in the URL.
BY_FOCUS_AREA, BY_MEASURE = "Focus area", "Measure"
MODES = (BY_FOCUS_AREA, BY_MEASURE)
MIN_BUREAUS = 2  # a measure name is offered for comparison when at least this many bureaus report it

# How a unit is written on an axis and in table headings.
UNIT_WORDS = MappingProxyType(
    {"percent": "%", "count": "count", "dollars": "US dollars", "rate": "rate", "days": "days"}
)
UNIT_NAMES = MappingProxyType(
    {"percent": "percent", "count": "count", "dollars": "US dollars", "rate": "rate", "days": "days"}
)
POLARITY_TEXT = MappingProxyType(
    {
        "higher_is_better": "Higher is better",
        "lower_is_better": "Lower is better",
        "neutral": "Neither higher nor lower is better (tracked, not judged by direction)",
    }
)


# --- what to compare --------------------------------------------------------------------------------


def focus_options(focus_areas: pd.DataFrame) -> dict[str, str]:
    """``{"workforce": "Workforce (hiring, retention, promotion)", …}`` in display order."""
    return dict(zip(focus_areas["key"], focus_areas["name"], strict=True))


def shared_measure_names(definitions: pd.DataFrame, *, min_bureaus: int = MIN_BUREAUS) -> dict[str, str]:
    """Measure names that at least ``min_bureaus`` bureaus report, alphabetically:
    ``{name: "name · 19 bureaus"}``."""
    if definitions.empty:
        return {}
    counts = definitions.groupby("name")["bureau_id"].nunique()
    shared = counts[counts >= min_bureaus].sort_index(key=lambda names: names.str.casefold())
    return {name: f"{name} · {count} bureaus" for name, count in shared.items()}


# --- a focus area -----------------------------------------------------------------------------------


def focus_area_comparison(
    analytics: PublicView,
    *,
    goals: pd.DataFrame,
    bureaus: pd.DataFrame,
    focus_area_id: int,
) -> pd.DataFrame:
    """Each bureau with goals in the focus area: mean progress of those goals, ranked, with their
    measures by health (:func:`equity_tracking.dashboards.common.bureau_progress`)."""
    under = goals[goals["focus_area_id"] == focus_area_id]
    return bureau_progress(analytics, goals=under, bureaus=bureaus)


def focus_area_row(analytics: PublicView, focus_area_id: int) -> pd.Series | None:
    """The analytics' roll-up of the whole focus area (all bureaus), or None without goals."""
    rollup = analytics.rollups["focus_area"]
    match = rollup[rollup["entity_id"] == focus_area_id]
    return match.iloc[0] if len(match) else None


def bureaus_without(comparison: pd.DataFrame, bureaus: pd.DataFrame) -> list[str]:
    """Names of the (active) bureaus that have no row in the comparison."""
    return sorted(bureaus.loc[~bureaus["id"].isin(comparison["bureau_id"]), "name"], key=str.casefold)


def coverage_text(comparison: pd.DataFrame, active_bureaus: pd.DataFrame) -> str:
    """ "21 of 26": bureaus with goals here, of the active bureaus (and any inactive one with goals)."""
    everyone = set(active_bureaus["id"]) | set(comparison["bureau_id"])
    return f"{len(comparison):,} of {len(everyone):,}"


def focus_alt(comparison: pd.DataFrame, *, focus_name: str, fiscal_year_label: str) -> str:
    judged = comparison[comparison["progress_pct"].notna()]
    text = (
        f"Bar chart: {len(comparison)} bureaus ranked by the mean progress to target of their goals in "
        f"{focus_name}, {fiscal_year_label}."
    )
    if len(judged):
        top = judged.iloc[0]
        text += f" Highest: {top['name']}, {top['progress_text']}."
    if len(judged) > 1:
        bottom = judged.iloc[-1]
        text += f" Lowest: {bottom['name']}, {bottom['progress_text']}."
    if len(judged) < len(comparison):
        text += f" {len(comparison) - len(judged)} bureau(s) have no progress to report yet."
    return text


# --- a measure --------------------------------------------------------------------------------------


def measure_comparison(
    analytics: PublicView,
    *,
    definitions: pd.DataFrame,
    bureaus: pd.DataFrame,
    name: str,
    fiscal_year: int,
) -> pd.DataFrame:
    """Every measure called ``name``, one row each, with its scorecard from the analytics.

    Columns: measure_id, bureau_id, code, bureau, label (the bureau, with the measure's key when a
    bureau has two measures of that name), unit, polarity, current_value, current_period, stale
    (the value is from before the fiscal year shown), target_value, target_period, progress_pct
    (clamped 0–100), progress_text, health, health_text ("✓ On track"), health_reason,
    value_text, target_text. Sorted by progress, best first (no progress last). Only measures of
    plan versions in force are compared.
    """
    scorecard = analytics.measure_status.set_index("measure_id")
    chosen = definitions[(definitions["name"] == name) & definitions["measure_id"].isin(scorecard.index)]
    ids = chosen["measure_id"].to_numpy()
    card = scorecard.reindex(ids)
    known = bureaus.set_index("id")
    frame = pd.DataFrame(
        {
            "measure_id": ids,
            "bureau_id": chosen["bureau_id"].to_numpy(),
            "key": chosen["key"].to_numpy(),
            "unit": chosen["unit"].to_numpy(),
            "polarity": chosen["polarity"].to_numpy(),
        }
    )
    frame["code"] = frame["bureau_id"].map(known["code"]).fillna("")
    frame["bureau"] = frame["bureau_id"].map(known["name"])
    frame["bureau"] = frame["bureau"].fillna("Bureau " + frame["bureau_id"].astype(str))
    twice = frame["bureau_id"].duplicated(keep=False)
    frame["label"] = np.where(twice, frame["bureau"] + " (" + frame["key"] + ")", frame["bureau"])
    frame["current_value"] = card["current_value"].to_numpy(dtype=float)
    frame["current_period"] = _text(card["current_period"])
    ends = pd.to_datetime(card["current_period_end"]).to_numpy()
    frame["stale"] = pd.notna(ends) & (ends < np.datetime64(f"{fiscal_year}-07-01"))
    frame["target_value"] = card["target_value"].to_numpy(dtype=float)
    frame["target_period"] = _text(card["target_period"])
    frame["progress_pct"] = card["progress_pct_clamped"].to_numpy(dtype=float)
    frame["progress_text"] = [percent(value) for value in frame["progress_pct"]]
    frame["health"] = card["health"].astype(object).fillna("no_data").to_numpy()
    frame["health_text"] = health_texts(
        pd.DataFrame({"health": frame["health"], "current_period": frame["current_period"]})
    )
    frame["health_reason"] = _text(card["health_reason"])
    frame["value_text"] = [
        number(value, unit=unit) for value, unit in zip(frame["current_value"], frame["unit"], strict=True)
    ]
    frame["target_text"] = [
        number(value, unit=unit) for value, unit in zip(frame["target_value"], frame["unit"], strict=True)
    ]
    frame = frame.sort_values(["progress_pct", "label"], ascending=[False, True], na_position="last")
    return frame.reset_index(drop=True)


def _text(values: pd.Series) -> np.ndarray:
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy()


def by_unit(comparison: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The comparison split by unit (one chart each: values in different units share no axis),
    the most common unit first; each part sorted by current value, best first by polarity."""
    parts = []
    for unit in comparison["unit"].value_counts().index:
        part = comparison[comparison["unit"] == unit]
        lower_better = (part["polarity"] == "lower_is_better").all()
        part = part.sort_values(
            ["current_value", "label"], ascending=[lower_better, True], na_position="last"
        ).reset_index(drop=True)
        parts.append((str(unit), part))
    return parts


def health_counts(comparison: pd.DataFrame) -> dict[str, int]:
    """Measures by health among the compared ones (every state, zeros included)."""
    counts = comparison["health"].value_counts()
    return {state: int(counts.get(state, 0)) for state in HEALTH}


def measure_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """The comparison as people read it."""
    return pd.DataFrame(
        {
            "Bureau": comparison["label"],
            "Current value": comparison["value_text"],
            "Target": comparison["target_text"],
            "Progress to target": comparison["progress_text"],
            "Health": comparison["health_text"],
            "Reported for": comparison["current_period"].replace("", "—"),
            "Target year": comparison["target_period"].replace("", "—"),
        }
    )


def value_chart_table(part: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Bureau": part["label"],
            "Current value": part["value_text"],
            "Reported for": part["current_period"].replace("", "—"),
            "Target": part["target_text"],
            "Target year": part["target_period"].replace("", "—"),
        }
    )


def progress_chart_table(comparison: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Bureau": comparison["label"],
            "Progress to target": comparison["progress_text"],
            "Health": comparison["health_text"],
            "Why": comparison["health_reason"],
        }
    )


def value_alt(part: pd.DataFrame, *, name: str, fiscal_year_label: str) -> str:
    valued = part[part["current_value"].notna()]
    bureaus = part["bureau_id"].nunique()
    measures = f" ({len(part)} measures)" if len(part) != bureaus else ""
    text = (
        f"Bar chart: {name}, the latest value of {bureaus} bureaus{measures} as of {fiscal_year_label}, "
        "with each bureau's target marked."
    )
    if len(valued):
        first, last = valued.iloc[0], valued.iloc[-1]
        text += f" From {first['label']}, {first['value_text']} (target {first['target_text']})"
        if len(valued) > 1:
            text += f", to {last['label']}, {last['value_text']} (target {last['target_text']})"
        text += "."
    if len(valued) < len(part):
        text += f" {len(part) - len(valued)} bureau(s) have reported no value yet."
    return text


def progress_alt(comparison: pd.DataFrame, *, name: str, fiscal_year_label: str) -> str:
    counts = health_counts(comparison)
    parts = "; ".join(f"{HEALTH[state].label}: {count}" for state, count in counts.items() if count)
    judged = comparison[comparison["progress_pct"].notna()]
    text = (
        f"Bar chart: {name}, each bureau's progress to target in {fiscal_year_label} with its health. "
        f"{parts}."
    )
    if len(judged):
        top = judged.iloc[0]
        text += f" Furthest along: {top['label']}, {top['progress_text']}."
    return text


def unit_word(unit: str) -> str:
    return UNIT_WORDS.get(unit, unit)
