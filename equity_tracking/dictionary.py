"""The data dictionary: what each field people see or download means, in plain language.

Owns the public description of the data; the methodology page shows it and the downloads use the
same headings. Kept beside the code so that a new column is documented in the same change.
"""

from __future__ import annotations

import pandas as pd

from equity_tracking.analytics.states import ACTION_STATUS, HEALTH

# (topic, field, meaning, format)
FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("Plans", "Citywide goal", "One of the three Citywide Racial Equity Goals adopted by City Council on "
     "8 July 2015 (Resolution 37144). Every bureau goal maps to one.", "Goal 1, 2 or 3"),
    ("Plans", "Focus area", "The area of work a bureau goal belongs to: organizational commitment; "
     "leadership and management; workforce; community access and partnership; contracting; data, "
     "metrics and quality improvement.", "text"),
    ("Plans", "Strategy", "The GARE strategies a bureau goal names (e.g. be data-driven).", "text"),
    ("Plans", "Plan span", "The fiscal years a bureau's five-year plan covers.", "FY 2016-17 to FY 2020-21"),
    ("Actions", "Status", "The latest status a bureau reported: not started, on track, some disruption, "
     "major disruption, completed or deferred; an action past its due date and not completed reads "
     "overdue, with the reported status beside it.", "icon and label"),
    ("Actions", "Lead", "The position accountable for the action.", "text"),
    ("Actions", "Due date", "When the action is due; past due and not completed means overdue.", "date"),
    ("Measures", "Unit", "What a value counts: a percentage, a count of people, dollars, a rate or days.",
     "%, count, $, rate, days"),
    ("Measures", "Polarity", "Whether higher or lower values are better, or neither (neutral).", "text"),
    ("Measures", "Baseline", "The value the plan started from, and the fiscal year it was measured.",
     "number, FY"),
    ("Measures", "Target", "The value the plan aims for, and by which fiscal year.", "number, FY"),
    ("Measures", "Current", "The latest published value as of the fiscal year shown.", "number"),
    ("Measures", "Prior", "The published value before the current one.", "number"),
    ("Measures", "Variance", "Current value minus target (negative means below target); for a percentage, "
     "in percentage points.", "number, or points"),
    ("Measures", "% of target", "Current value as a percentage of the target.", "percent, one decimal"),
    ("Measures", "Progress", "How far the measure has moved from baseline to target: "
     "(current − baseline) ÷ (target − baseline), shown between 0 % and 100 %.", "percent, one decimal"),
    ("Measures", "Health", "Progress compared with the progress expected by now: on track (at least 95 % "
     "of expected), behind (85–95 %), at risk (below 85 %), achieved, missed target (the target year was "
     "reported short of it), out of date (not reported within its frequency; never counted as on track), "
     "final value due, not started, tracked, not judged (no better direction), no data, or cannot be "
     "judged (with the reason).", "icon and label"),
    ("Measures", "Trend", "Whether the latest change was for the better or worse, and for how many "
     "periods in a row.", "▲ / ▼ / ▶ and a count"),
    ("Measures", "Baseline % change", "Change from the first value reported, in percent.",
     "percent, one decimal"),
    ("Measures", "Forecast", "Where a straight line through recent values points at the target year; none "
     "once the target year has been reported.", "number"),
    ("Measures", "Next value due", "When the measure's next value is due (its latest period, one reporting "
     "period and a grace period later), or overdue since then.", "date"),
    ("Values", "Period", "The fiscal year (July–June, e.g. FY 2018-19), fiscal quarter (Q1 is "
     "July–September) or calendar year a value covers.", "FY 2018-19, FY 2018-19 Q1, CY 2019"),
    ("Values", "Group", "The race/ethnicity group a value describes; \"All\" is the total. Groups follow "
     "the federal 2024 minimum categories plus multiracial and unknown/declined; \"People of color\" "
     "adds up every group except White and unknown.", "text"),
    ("Values", "Review status", "Draft, submitted, approved or published. Public pages show published "
     "values only.", "text"),
    ("Values", "Note", "What the bureau said about the value, e.g. a change of method.", "text"),
    ("Equity", "Representation index", "A group's share of a bureau's workforce (or contract dollars) "
     "divided by its share of the city's residents; 1.0 is parity.", "number, two decimals"),
    ("Equity", "Disparity ratio", "The outcome of the best-off group divided by that of the worst-off "
     "group (larger ÷ smaller).", "number, three decimals"),
    ("Equity", "Equity score", "The disparity ratio converted to a score from 1 (most inequality) to 100 "
     "(none), by the Equity Indicators method. A high score can mean every group is doing badly.",
     "1–100"),
    ("Equity", "Hidden", "A count of fewer than 10 people by race/ethnicity, and any other figure, share, "
     "ratio or score that would let a reader work it out, is not shown on public pages or in downloads.",
     "\"hidden\", in a download too (where the row's hidden column says yes)"),
)  # fmt: skip


def data_dictionary() -> pd.DataFrame:
    return pd.DataFrame(FIELDS, columns=["Topic", "Field", "Meaning", "Format"])


# --- the columns of the downloads ------------------------------------------------------------------
# What each column of a page's download means, for the "Data dictionary" sheet of its Excel file
# (equity_tracking.downloads). A column named like a field above is described by that field; a
# column a page adds is described here in the same change, or by the description the page passes.

# column → (meaning, format); the format is left to the column's type when it says nothing more.
COLUMNS: dict[str, tuple[str, str]] = {
    "bureau_id": ("The bureau's number in the tracker.", "whole number"),
    "bureau_code": ("The bureau's short code (e.g. TR); \"CITY\" for the city as a whole.", "text"),
    "code": ("The bureau's short code (e.g. TR).", "text"),
    "bureau": ("The bureau's name.", "text"),
    "Bureau": ("The bureau's name.", "text"),
    "name": ("The bureau's name.", "text"),
    "fiscal_year": ("The fiscal year, by the calendar year it starts in: 2018 is FY 2018-19 (July 2018 "
                    "to June 2019).", "year"),
    "citywide_goal": ("The citywide goal's number.", "1, 2 or 3"),
    "goal_key": ("The bureau goal's key in the bureau's plan.", "text"),
    "goal": ("The bureau goal's title.", "text"),
    "focus_area": ("The focus area the bureau goal belongs to.", "text"),
    "Focus area": ("The focus area.", "text"),
    "Strategy": ("The GARE strategy.", "text"),
    "action_key": ("The action's key in the bureau's plan.", "text"),
    "action": ("The action's title.", "text"),
    "status": ("The action's status as judged: the reported status, or overdue.", "key"),
    "reported_status": ("The status the bureau last reported for the action.", "key"),
    "percent_complete": ("How complete the bureau last said the action was.", "percent"),
    "lead": ("The position accountable for the action.", "text"),
    "start_date": ("When the action starts.", "date"),
    "due_date": ("When the action is due.", "date"),
    "overdue": ("Whether the action is past its due date and not completed.", "yes or no"),
    "last_update_at": ("When the action's latest status update was reported.", "date and time, UTC"),
    "measure_id": ("The measure's number in the tracker (its page: /measure?measure=N).", "whole number"),
    "measure_key": ("The measure's key in the bureau's plan.", "text"),
    "key": ("The measure's key in the bureau's plan.", "text"),
    "measure": ("The measure's name.", "text"),
    "unit": ("What the measure's values count.", "percent, count, dollars, rate or days"),
    "polarity": ("Whether higher or lower values are better, or neither.", "higher, lower or neutral"),
    "health": ("The measure's health, as a key (on_track, behind, …).", "key"),
    "health_label": ("The health, as people read it.", "text"),
    "health_reason": ("Why the measure has that health, in one sentence.", "text"),
    "next_due": ("When the measure's next value is due.", "date"),
    "current_value": ("The latest published value as of the fiscal year shown.", "in the measure's unit"),
    "current_period": ("The period the current value is for.", "FY 2018-19, …"),
    "prior_value": ("The published value before the current one.", "in the measure's unit"),
    "target_value": ("The value the plan aims for.", "in the measure's unit"),
    "target_period": ("The period by which the target should be reached.", "FY 2020-21, …"),
    "variance_from_target": ("Current value minus target; negative means below target.", "in the unit"),
    "percent_of_target": ("Current value as a percentage of the target.", "percent"),
    "progress_pct": ("Progress from baseline to target (for a goal, bureau or focus area: the mean "
                     "of its goals' or measures' progress).", "percent, 0 to 100"),
    "expected_pct": ("The progress expected by now, for the time that has passed.", "percent"),
    "freshness_pct": ("The share of the bureau's measures and actions updated on time.", "percent"),
    "trend": ("Whether the latest change was for the better or worse.", "key"),
    "trend_periods": ("For how many periods in a row the trend has run.", "whole number"),
    "baseline_change_pct": ("Change from the first value reported.", "percent"),
    "forecast_value": ("Where a straight line through recent values points at the target year.",
                       "in the measure's unit"),
    "n_measures": ("How many measures are counted.", "whole number"),
    "measures": ("How many measures are counted.", "whole number"),
    "Measures": ("How many measures are counted.", "whole number"),
    "n_goals": ("How many bureau goals are counted.", "whole number"),
    "Bureau goals": ("How many bureau goals are counted.", "whole number"),
    "bureau_goals": ("How many of the bureau's goals fall under the citywide goal.", "whole number"),
    "n_judged": ("How many of those goals have a progress that can be judged.", "whole number"),
    "Bureaus": ("How many bureaus are counted.", "whole number"),
    "rank": ("The bureau's place by progress, first is furthest along.", "text"),
    "n_actions": ("How many actions are counted.", "whole number"),
    "Actions": ("How many actions are counted.", "whole number"),
    "Share (%)": ("Their share of all the measures counted.", "percent"),
    "Progress (%)": ("Mean progress to target.", "percent"),
    "measures_due": ("Measures whose value for the fiscal year was due by its reporting deadline.",
                     "whole number"),
    "Measures due": ("Measures whose value for the fiscal year was due by its reporting deadline.",
                     "whole number"),
    "measures_reported": ("Of those, how many were reported by the deadline.", "whole number"),
    "Reported": ("Of those, how many were reported by the deadline.", "whole number"),
    "reported_pct": ("The share of the due measures that were reported.", "percent"),
    "Reported (%)": ("The share of the due measures that were reported.", "percent"),
    "last_reported": ("The latest period the bureau reported a value for.", "FY 2018-19, …"),
    "Latest value for": ("The latest period the bureau reported a value for.", "FY 2018-19, …"),
    "last_report_at": ("When the bureau's latest value was published.", "date and time, UTC"),
    "reporting": ("Whether the bureau reported on time, as a key.", "key"),
    "Reporting": ("Whether the bureau reported every measure due on time.", "text"),
    "series": ("Which line of the chart: the values, the baseline, the target or interim targets.", "text"),
    "period": ("The period a value covers.", "FY 2018-19, FY 2018-19 Q1, CY 2019"),
    "period_end": ("The last day of the period.", "date"),
    "value": ("The value, in the measure's unit.", "number"),
    "value_text": ("The value as the page writes it.", "text"),
    "group": ("The race/ethnicity group; \"All\" is the total.", "text"),
    "group_key": ("The group's key; empty for the total.", "text"),
    "count": ("The group's count (people, or dollars for contracting).", "number"),
    "share_pct": ("The group's share of everyone whose race/ethnicity is known.", "percent"),
    "benchmark_share_pct": ("The group's share of the benchmark population (e.g. the residents).",
                            "percent"),
    "residents_pct": ("The group's share of the city's residents.", "percent"),
    "employees": ("The group's number of employees.", "whole number"),
    "known_total": ("Employees whose race/ethnicity is known.", "whole number"),
    "gap_to_parity": ("How many more (positive) or fewer people of the group the workforce would need to "
                      "match the residents.", "people"),
    "note": ("What the bureau said about the value.", "text"),
    "review_status": ("Draft, submitted, approved or published; public downloads hold published values "
                      "only.", "text"),
    "entered_at": ("When the value was entered.", "date and time, UTC"),
    "corrected_later": ("Whether a correction of the value was published after the date shown.", "yes or no"),
    "part": ("Which part of the bureau's report: highlights, challenges or priorities.", "text"),
    "item": ("The item's place in its part.", "whole number"),
    "text": ("The bureau's own words, as published.", "text"),
    "hidden": ("Whether figures of the row are hidden to protect privacy; each hidden figure reads "
               "\"hidden\" (see the suppression rule).", "yes or no"),
    "Topic": ("What the field is about.", "text"),
    "Field": ("The field, as pages and downloads name it.", "text"),
    "Meaning": ("What the field means.", "text"),
    "Format": ("How the field is written.", "text"),
}  # fmt: skip


def column_meaning(column: str) -> tuple[str, str] | None:
    """(meaning, format) of a download's column: from :data:`COLUMNS`; a count of measures by health
    (``health_on_track``, ``✓ On track``) or of actions by status (``actions_overdue``); a field of
    :data:`FIELDS` of the same name (``representation_index`` is "Representation index"); else None."""
    if column in COLUMNS:
        return COLUMNS[column]
    for prefix, states, noun in (("health_", HEALTH, "Measures whose health is"),
                                 ("actions_", ACTION_STATUS, "Actions whose status is")):  # fmt: skip
        for key, style in states.items():
            names = (f"{prefix}{key}", f"{style.icon} {style.label}", f"{style.icon} actions {style.label}")
            if column.lower() in (name.lower() for name in names):
                return f"{noun} {style.label.lower()}.", "whole number"
    wanted = column.replace("_", " ").strip().lower()
    for _topic, field, meaning, form in FIELDS:
        if field.lower() == wanted:
            return meaning, form
    return None
