"""Convert a subset of San Francisco's citywide performance measures to the tracker's import folder.

Source: City and County of San Francisco, Controller's Office, "Citywide Performance Measurement Annual
Report FY14 Dataset" on DataSF (https://data.sfgov.org/City-Management-and-Ethics/
Citywide-Performance-Measurement-Annual-Report-FY1/6h77-suve), downloaded as rows.csv into
github.com/catherinemzhang/SF_brigade_impact_gov, data/Citywide_Performance_Measurement_Annual_Report_
FY14_Dataset.csv at commit 00da17210637f14824f7a35b78b7739c2117d660. The rows of four departments were
copied unchanged into tests/data/real/sf_performance/source/. Licence: DataSF releases its data under
the Open Data Commons Public Domain Dedication and License (PDDL); see docs/real-data.md.

Each department (its three-letter "Dept" code) becomes a bureau, each of its goals a bureau goal and
each KPI a measure with the actuals of FY 2011-12 to FY 2013-14 as values (fiscal years end 30 June,
as the tracker's do). The FY 2013-14 target is the measure's target; the later targets are in its
description. Percentages, published as fractions, are written as 0–100.

Run from the project root: ``python scripts/real_data/convert_sf_performance.py``.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "tests" / "data" / "real" / "sf_performance"
SOURCE = FOLDER / "source" / "Citywide_Performance_Measurement_Annual_Report_FY14_Dataset.csv"
SOURCE_CITATION = (
    "San Francisco Controller's Office, Citywide Performance Measurement Annual Report FY14 Dataset "
    "(https://data.sfgov.org/d/6h77-suve), via github.com/catherinemzhang/SF_brigade_impact_gov@00da172"
)
ACTUALS = {  # source column → period
    "FY 2012   Total Actual Data": "FY 2011-12",
    "FY 2013   Total Actual Data": "FY 2012-13",
    "FY 2014   Total Actual Data": "FY 2013-14",
}
TARGET = "FY 2014   Total Target Data"
LATER_TARGETS = {"FY 2015   Total Target Data": "FY 2014-15", "FY 2016   Total Target Data": "FY 2015-16"}
EXPLANATION = "FY 2014   Yr End Actual Explanation"
POLARITY = {
    "Above target is positive": "higher",
    "Below target is positive": "lower",
    "On target is positive": "neutral",
}
BASELINE = "FY 2012   Total Actual Data"
ACTIONS = ["bureau_code", "goal_key", "action_key", "title", "lead", "start_date", "due_date", "status"]
MEASURES = [
    "bureau_code", "goal_key", "measure_key", "name", "unit", "polarity", "frequency", "baseline_value",
    "baseline_period", "target_value", "target_period", "disaggregated", "rba_category", "data_source",
    "description",
]  # fmt: skip
VALUES = ["bureau_code", "measure_key", "period", "group", "value", "numerator", "denominator", "note"]
SMALL_WORDS = {"and", "of", "on", "the", "for"}


def slug(text: str, limit: int = 40) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    key = ""
    for word in words:  # whole words up to the limit
        if len(key) + len(word) + (1 if key else 0) > limit:
            break
        key = f"{key}_{word}" if key else word
    return key or "_".join(words)[:limit]


def unit_of(row: dict[str, str]) -> tuple[str, Decimal]:
    """The tracker's unit of a KPI and the factor its published figures are multiplied by."""
    if row["Unit of Measure"] == "Percent":
        return "percent", Decimal(100)  # published as fractions: 0.72 is 72 %
    if row["Unit of Measure"] == "Currency":
        return "dollars", Decimal(1)
    if row["Performance Measure"].lower().startswith("percent"):
        return "percent", Decimal(1)  # a "General" percentage, published as 0–100
    if any(Decimal(row[column] or 0) % 1 for column in (*ACTUALS, TARGET, *LATER_TARGETS)):
        return "rate", Decimal(1)  # not a whole number (e.g. 35914.94 hours): the tracker's counts are whole
    return "count", Decimal(1)


def number(text: str, factor: Decimal) -> str:
    return "" if not text.strip() else format((Decimal(text) * factor).normalize(), "f")


def department_name(name: str) -> str:
    words = [word if word in SMALL_WORDS else word.capitalize() for word in name.lower().split()]
    return " ".join(words)


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with (FOLDER / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def goal_row(code: str, goal: str, taken: set[str]) -> list[object]:
    """A goals.csv row: a key unique in the bureau; goals about staff appraisals are workforce goals."""
    key = base = slug(goal, 36)
    suffix = 1
    while key in taken:
        suffix += 1
        key = f"{base}_{suffix}"
    if "appraisal" in goal.lower():  # "All City employees have a current performance appraisal"
        return [code, key, goal, 2, "workforce"]
    return [code, key, goal, 1, "community_access"]


def measure_row(row: dict[str, str], goal_key: str) -> list[object]:
    unit, factor = unit_of(row)
    later = [f"{period}: {number(row[column], factor)}" for column, period in LATER_TARGETS.items()]
    description = " ".join([*row["Description"].split(), "Later targets as published —", "; ".join(later)])
    return [
        row["Dept"], goal_key, slug(row["KPI_CODE"]), " ".join(row["Performance Measure"].split()), unit,
        POLARITY[row["Performance Pattern"]], "annual",
        number(row[BASELINE], factor), "FY 2011-12" if row[BASELINE].strip() else "",
        number(row[TARGET], factor), "FY 2013-14" if row[TARGET].strip() else "",
        "no", "how_well" if unit == "percent" else "how_much", SOURCE_CITATION, description + ".",
    ]  # fmt: skip


def main() -> None:
    with SOURCE.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Performance Measure"].strip()]
    # A KPI whose every actual and target is 0 was never reported: the source's placeholder, left out.
    rows = [row for row in rows if any(Decimal(row[c] or 0) for c in (*ACTUALS, TARGET, *LATER_TARGETS))]
    goal_keys: dict[tuple[str, str], str] = {}
    goals, measures, values = [], [], []
    for row in rows:
        code, goal = row["Dept"], " ".join(row["Goal"].split())
        if (code, goal) not in goal_keys:
            goals.append(goal_row(code, goal, {key for (c, _), key in goal_keys.items() if c == code}))
            goal_keys[code, goal] = str(goals[-1][1])
        measures.append(measure_row(row, goal_keys[code, goal]))
        factor = unit_of(row)[1]
        for column, period in ACTUALS.items():
            if row[column].strip():
                note = " ".join(row[EXPLANATION].split()) if period == "FY 2013-14" else ""
                values.append([code, measures[-1][2], period, "", number(row[column], factor), "", "", note])
    bureaus = sorted({(row["Dept"], department_name(row["Department"])) for row in rows})
    write("bureaus.csv", ["code", "name"], [list(bureau) for bureau in bureaus])
    write("goals.csv", ["bureau_code", "goal_key", "title", "citywide_goal", "focus_area"], goals)
    write("actions.csv", ACTIONS, [])
    write("measures.csv", MEASURES, measures)
    write("values.csv", VALUES, values)


if __name__ == "__main__":
    main()
