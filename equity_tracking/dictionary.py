"""The data dictionary: what each field people see or download means, in plain language.

Owns the public description of the data; the methodology page shows it and the downloads use the
same headings. Kept beside the code so that a new column is documented in the same change.
"""

from __future__ import annotations

import pandas as pd

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
     "\"hidden\" (an empty cell in a download)"),
)  # fmt: skip


def data_dictionary() -> pd.DataFrame:
    return pd.DataFrame(FIELDS, columns=["Topic", "Field", "Meaning", "Format"])
