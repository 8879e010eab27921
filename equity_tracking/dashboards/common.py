"""What every dashboard shares: the fiscal-year choice and how its date is described, state counts
and labels, the bureau picker, and the sentences several pages say the same way.

"FY 2018-19" on a dashboard means the plans as they stood at that year's reporting deadline
(:func:`equity_tracking.rules.reporting_deadline`, 30 September 2019): every value reported for the
year by then counts, and nothing reported later does. Pure Python and pandas; page modules import
from here, never from one another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from equity_tracking.analytics.states import (
    ACTION_STATUS_ORDER,
    CANNOT_JUDGE,
    FRESHNESS,
    HEALTH,
    HEALTH_ORDER,
    StateStyle,
)
from equity_tracking.formatting import MISSING, date_text, percent, state_text
from equity_tracking.models import ReviewStatus
from equity_tracking.periods import fiscal_year_label
from equity_tracking.rules import reporting_deadline
from equity_tracking.suppression import PublicView

# Review states as people read them (a value, an update or a narrative is public once "published").
REVIEW_TEXT = {
    ReviewStatus.DRAFT.value: "Draft",
    ReviewStatus.SUBMITTED.value: "Submitted for review",
    ReviewStatus.APPROVED.value: "Approved",
    ReviewStatus.PUBLISHED.value: "Published",
}


def unpublished_note(review_status: object) -> str | None:
    """ "Not yet published (submitted for review)" for anything not published, else None: staff who
    include unpublished work see which pieces the public does not."""
    status = str(review_status)
    if status == ReviewStatus.PUBLISHED.value:
        return None
    return f"Not yet published ({REVIEW_TEXT.get(status, status).lower()})"


WHO_REPORTS = (
    "Bureaus report their values and action updates to the Office of Equity and Human Rights, which "
    "reviews them and publishes them here."
)
# A bureau's annual narrative: (column, heading), in the order people read them.
NARRATIVE_PARTS = (
    ("highlights", "Highlights"),
    ("challenges", "Challenges and lessons"),
    ("priorities", "Priorities for next year"),
)
# Health states that are shown as a tile of their own on the summary pages, whatever their count.
HEADLINE_HEALTH = ("on_track", "behind", "at_risk", "out_of_date")


# --- the fiscal year -----------------------------------------------------------------------------


def fiscal_year_key(start_year: int) -> str:
    """``2018`` → ``"2018-19"``, the form used in URLs (``?fy=2018-19``)."""
    return fiscal_year_label(start_year).removeprefix("FY ")


def fiscal_year_from_key(key: str) -> int:
    return int(str(key)[:4])


def as_of_caption(start_year: int) -> str:
    deadline = reporting_deadline(start_year)
    return (
        f"As reported by {deadline.day} {deadline:%B %Y}, three months after {fiscal_year_label(start_year)} "
        "ended. Values reported (or published) later are not counted."
    )


def fiscal_year_choices(plans: pd.DataFrame) -> list[int]:
    """Every fiscal year any plan covers, oldest first (empty when there are no plans)."""
    if plans.empty:
        return []
    first, last = int(plans["first_fiscal_year"].min()), int(plans["last_fiscal_year"].max())
    return list(range(first, last + 1))


def default_fiscal_year(choices: list[int], *, today: dt.date) -> int | None:
    """The latest fiscal year whose reporting deadline has passed, else the first one."""
    if not choices:
        return None
    reported = [year for year in choices if reporting_deadline(year) <= today]
    return reported[-1] if reported else choices[0]


def is_baseline_year(year: int, choices: list[int]) -> bool:
    """The plans' first year: measures start from it, so it has no progress to judge."""
    return bool(choices) and year == choices[0]


def baseline_year_note(year: int, choices: list[int]) -> str | None:
    if not is_baseline_year(year, choices):
        return None
    return (
        f"{fiscal_year_label(year)} is the baseline year: the plans measure where each measure starts, "
        "and progress is judged from the next year on."
    )


# --- states and counts -----------------------------------------------------------------------------


def health_counts(row: Mapping | pd.Series | None) -> dict[str, int]:
    """Measures by health from a roll-up row (``health_<state>`` columns); zeros without a row."""
    return {state: int(row.get(f"health_{state}", 0)) if row is not None else 0 for state in HEALTH_ORDER}


def action_counts(row: Mapping | pd.Series | None) -> dict[str, int]:
    """Actions by status from a roll-up row (``actions_<status>`` columns); zeros without a row."""
    return {
        status: int(row.get(f"actions_{status}", 0)) if row is not None else 0
        for status in ACTION_STATUS_ORDER
    }


def health_text(state: str, current_period: str = "") -> str:
    """A measure's health as icon and words; out of date says since when:
    ``"◷ Out of date (last reported FY 2017-18)"``."""
    style = HEALTH.get(state)
    if style is None:
        return state_text("?", "Unknown")
    text = state_text(style.icon, style.label)
    if state == "out_of_date" and current_period:
        text += f" (last reported {current_period})"
    return text


def health_texts(measures: pd.DataFrame) -> list[str]:
    """:func:`health_text` for every row of an analytics measure frame."""
    periods = measures["current_period"].astype(object).fillna("") if "current_period" in measures else ""
    if isinstance(periods, str):
        return [health_text(str(state)) for state in measures["health"]]
    return [
        health_text(str(state), str(period))
        for state, period in zip(measures["health"], periods, strict=True)
    ]


def trend_text(icon: str, label: str, periods: int, state: str) -> str:
    """``"▲ Improving · 3 periods"``; a trend that cannot be judged says so."""
    if state == CANNOT_JUDGE or periods <= 0:
        return state_text(icon, "Not enough values")
    return f"{icon} {label} · {periods} period{'s' if periods != 1 else ''}"


def next_due_text(row: pd.Series) -> str:
    """When the measure's next value is due ("30 Sep 2020", "overdue since …"), or why none is."""
    freshness = str(row.get("freshness", ""))
    if freshness in ("complete", "ended"):
        return FRESHNESS[freshness].label
    if pd.isna(row.get("next_due")):
        return MISSING
    due = date_text(row["next_due"])
    return f"overdue since {due}" if bool(row.get("overdue")) else due


def count_tiles(
    counts: Mapping[str, int], styles: Mapping[str, StateStyle], *, always: Iterable[str]
) -> list[tuple[str, str]]:
    """(label with icon, count) for the states to show: those in ``always`` and any other above 0."""
    keep = set(always)
    return [
        (state_text(styles[key].icon, styles[key].label), f"{count:,}")
        for key, count in counts.items()
        if key in keep or count > 0
    ]


def counts_line(counts: Mapping[str, int], styles: Mapping[str, StateStyle]) -> str:
    """``"★ Achieved 49 · ✓ On track 182"`` (states with none left out), as plain text."""
    return " · ".join(
        f"{state_text(styles[key].icon, styles[key].label)} {count:,}"
        for key, count in counts.items()
        if count
    )


def state_table(counts: Mapping[str, int], styles: Mapping[str, StateStyle], *, noun: str) -> pd.DataFrame:
    """Counts by state as a table (states with none left out, as on the chart): the state as people
    read it, its key, the count and its share."""
    total = sum(counts.values())
    kept = [(key, count) for key, count in counts.items() if count]
    return pd.DataFrame(
        {
            "State": [state_text(styles[key].icon, styles[key].label) for key, _ in kept],
            "state_key": [key for key, _ in kept],
            noun: [count for _, count in kept],
            "Share (%)": [round(100 * count / total, 1) if total else None for _, count in kept],
        }
    )


@dataclass(frozen=True)
class HealthTables:
    """What goes with a chart of measures by health: ``table`` as people read it, ``data`` to
    download (the state's key as ``health``), and ``counts_text`` ("✓ On track: 3; ! Behind: 1") for
    its text alternative."""

    table: pd.DataFrame
    data: pd.DataFrame
    counts_text: str


def health_tables(counts: Mapping[str, int]) -> HealthTables:
    """:class:`HealthTables` of measures by health, from :func:`health_counts`."""
    states = state_table(counts, HEALTH, noun="Measures")
    return HealthTables(
        table=states.drop(columns="state_key"),
        data=states.rename(columns={"State": "health_label", "state_key": "health"}),
        counts_text="; ".join(f"{row.State}: {row.Measures}" for row in states.itertuples()),
    )


def narrative(report: pd.Series) -> list[tuple[str, list[str]]]:
    """A published annual narrative as (heading, texts), parts with nothing written left out."""
    return [(heading, list(report[column])) for column, heading in NARRATIVE_PARTS if len(report[column])]


# --- bureaus ranked by the progress of their goals (the goal and compare pages) ---------------------

HEALTH_COLUMNS = [f"health_{state}" for state in HEALTH_ORDER]
ACTION_COLUMNS = [f"actions_{status}" for status in ACTION_STATUS_ORDER]
COUNT_COLUMNS = ["n_measures", *HEALTH_COLUMNS, "n_actions", *ACTION_COLUMNS]
NO_RANK = "—"


def goal_rows(analytics: PublicView, goals: pd.DataFrame) -> pd.DataFrame:
    """The analytics' per-goal roll-up for these bureau goals: goal_id, bureau_id, progress_pct and
    the counts (measures, health, actions). A new frame: the analytics frames are shared."""
    per_goal = analytics.rollups["goal"].set_index("entity_id")[["progress_pct", *COUNT_COLUMNS]]
    goals = goals[goals["id"].isin(per_goal.index)]  # only the goals of plan versions in force
    found = per_goal.reindex(goals["id"].to_numpy())
    frame = pd.DataFrame(
        {
            "goal_id": goals["id"].to_numpy(),
            "bureau_id": goals["bureau_id"].to_numpy(),
            "progress_pct": found["progress_pct"].to_numpy(dtype=float),
        }
    )
    counts = found[COUNT_COLUMNS].fillna(0).to_numpy(dtype="int64")
    return pd.concat([frame, pd.DataFrame(counts, columns=COUNT_COLUMNS)], axis=1)


def bureau_progress(analytics: PublicView, *, goals: pd.DataFrame, bureaus: pd.DataFrame) -> pd.DataFrame:
    """Each bureau's mean progress over the given bureau goals, ranked (best first; bureaus without
    progress to report last, by name).

    Columns: bureau_id, code, name, n_goals, n_judged (goals with progress), progress_pct,
    progress_text, rank ("1", "2", … or "—") and the count columns summed over its goals.
    """
    rows = goal_rows(analytics, goals)
    grouped = rows.groupby("bureau_id")
    frame = grouped[COUNT_COLUMNS].sum()
    frame.insert(0, "n_goals", grouped.size())
    frame.insert(1, "n_judged", grouped["progress_pct"].count())
    frame.insert(2, "progress_pct", grouped["progress_pct"].mean())
    frame = frame.reset_index()
    known = bureaus.set_index("id")
    frame["code"] = frame["bureau_id"].map(known["code"]).fillna("")
    frame["name"] = frame["bureau_id"].map(known["name"])
    frame["name"] = frame["name"].fillna("Bureau " + frame["bureau_id"].astype(str))
    frame["progress_pct"] = frame["progress_pct"].astype(float)
    frame["progress_text"] = frame["progress_pct"].map(percent)
    frame = frame.sort_values(["progress_pct", "name"], ascending=[False, True], na_position="last")
    # Ranked as shown (one decimal), so that two bureaus showing the same figure share a rank.
    ranks = frame["progress_pct"].round(1).rank(method="min", ascending=False)
    frame["rank"] = [str(int(rank)) if pd.notna(rank) else NO_RANK for rank in ranks]
    columns = ["bureau_id", "code", "name", "n_goals", "n_judged", "progress_pct", "progress_text", "rank"]
    return frame[[*columns, *COUNT_COLUMNS]].reset_index(drop=True)


def bureau_chart_table(contributions: pd.DataFrame) -> pd.DataFrame:
    """The data behind a ranked bar chart of :func:`bureau_progress`, as people read it."""
    return pd.DataFrame(
        {
            "Rank": contributions["rank"],
            "Bureau": contributions["name"],
            "Code": contributions["code"],
            "Progress": contributions["progress_text"],
            "Bureau goals": contributions["n_goals"],
            "Goals with progress": contributions["n_judged"],
        }
    )


def bureau_detail_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A bureau list with its rank, progress and measures by health (numbers stay numbers, so the
    table sorts)."""
    table = pd.DataFrame(
        {
            "Rank": frame["rank"],
            "Bureau": frame["name"],
            "Progress (%)": frame["progress_pct"].round(1),
            "Bureau goals": frame["n_goals"],
            "Measures": frame["n_measures"],
        }
    )
    for column, heading in health_headings(frame).items():
        table[heading] = frame[column].to_numpy()
    table["Actions"] = frame["n_actions"].to_numpy()
    return table


def health_headings(frame: pd.DataFrame) -> dict[str, str]:
    """``{"health_on_track": "✓ On track", …}`` for the health states that occur (always the four
    judged ones and out of date, so that a reader sees a zero rather than a missing column)."""
    always = {"achieved", "on_track", "behind", "at_risk", "out_of_date"}
    return {
        f"health_{state}": state_text(HEALTH[state].icon, HEALTH[state].label)
        for state in HEALTH_ORDER
        if state in always or frame[f"health_{state}"].sum() > 0
    }


def ranked_labels(frame: pd.DataFrame) -> list[str]:
    """The line above each bar of a :func:`bureau_progress` chart: "1. Portland Water Bureau · 3 goals"
    (no rank for a bureau without progress)."""
    return [
        bar_label(name if rank == NO_RANK else f"{rank}. {name}", goals_text(n_goals))
        for rank, name, n_goals in zip(frame["rank"], frame["name"], frame["n_goals"], strict=True)
    ]


def bar_label(name: str, detail: str) -> str:
    """The line written above a bar: "Portland Water Bureau · 3 goals"."""
    return f"{name} · {detail}" if detail else name


def goals_text(count: int) -> str:
    return f"{count:,} goal" + ("" if count == 1 else "s")


# --- bureaus ---------------------------------------------------------------------------------------


def bureau_options(bureaus: pd.DataFrame) -> dict[str, str]:
    """``{code: name}`` for the bureau picker, sorted by name."""
    ordered = bureaus.sort_values("name", kind="stable")
    return dict(zip(ordered["code"].astype(str), ordered["name"].astype(str), strict=True))


def bureau_row(bureaus: pd.DataFrame, code: str | None) -> pd.Series | None:
    match = bureaus[bureaus["code"] == code]
    return None if match.empty else match.iloc[0]


def bureau_code_param(text: str) -> str:
    """A bureau code as links may write it ("tr", " TR ") → "TR"."""
    return str(text).strip().upper()


def number_param(text: str) -> str:
    """An id as links may write it ("+87", " 087 ") → "87"; anything else unchanged (not found)."""
    stripped = str(text).strip()
    try:
        return str(int(stripped))
    except ValueError:
        return stripped
