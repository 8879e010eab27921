"""Convert a subset of California's state workforce reports (CalHR 5102) to the tracker's import folder.

Source: California Department of Human Resources (CalHR), "5102 Inline Report" — every state
employee by department, job class, ethnicity and gender, as of 31 December of each year
(https://www.calhr.ca.gov/pages/statewide-reports.aspx; compiled on the California Open Data Portal at
https://data.ca.gov/dataset/calhr-civil-rights-data-for-gare-capital-cohort-2019). The workbooks were
taken from github.com/CalEPARacialEquity/ca-state-workforce-data, 02_data_raw/5102/
calhr-5102-statewide-{2019,2020,2021}.xlsx at commit 9ff093099b890e5ad9b0433e384ef80fe183fb54, and the
rows of four departments were copied unchanged into tests/data/real/calhr_workforce/source/.
Licence: the repository states none; CalHR publishes the reports publicly (see docs/real-data.md).

Each department becomes a bureau with one disaggregated headcount measure (indicator
``workforce_headcount``): the sum of "Record Count" over job classes and genders, per report and
race/ethnicity group. A report counts the employees on 31 December; its figures are filed under the
fiscal year (July–June) that contains that day, 31 December 2019 under FY 2019-20, because the tracker
takes an annual measure's values for fiscal years only. CalHR's Asian and Pacific Islander subgroups
are added into the tracker's Asian and Native Hawaiian or Pacific Islander groups; "Other or Multiple
Race" matches no tracker group and is left out of the group rows (it stays in the total, and the total
row says so).

Run from the project root: ``python scripts/real_data/convert_calhr_workforce.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "tests" / "data" / "real" / "calhr_workforce"
SOURCE_CITATION = (
    "CalHR 5102 Inline Report, employees as of 31 December "
    "(https://www.calhr.ca.gov/pages/statewide-reports.aspx), via github.com/CalEPARacialEquity/"
    "ca-state-workforce-data@9ff0930"
)
# Department as CalHR names it → (bureau code, bureau name).
DEPARTMENTS = {
    "Aging, Department of": ("CDA", "California Department of Aging"),
    "Environmental Health Hazard Assessment, Office of": (
        "OEHHA",
        "Office of Environmental Health Hazard Assessment",
    ),
    "Environmental Protection Agency": ("CALEPA", "California Environmental Protection Agency"),
    "Sierra Nevada Conservancy": ("SNC", "Sierra Nevada Conservancy"),
}
GROUPS = (  # the tracker's groups that CalHR's categories map to, in the order they are written
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Hispanic or Latino",
    "Native Hawaiian or Pacific Islander",
    "White",
)
OTHER = "Other or Multiple Race"  # CalHR's category with no tracker group: in the total only
ACTIONS = ["bureau_code", "goal_key", "action_key", "title", "lead", "start_date", "due_date", "status"]
MEASURES = [
    "bureau_code", "goal_key", "measure_key", "name", "unit", "polarity", "frequency", "baseline_value",
    "baseline_period", "target_value", "target_period", "disaggregated", "indicator", "rba_category",
    "data_source", "description",
]  # fmt: skip
VALUES = ["bureau_code", "measure_key", "period", "group", "value", "numerator", "denominator", "note"]
DESCRIPTION = (
    "Employees of the department on 31 December, added up over job classes and genders from CalHR's 5102 "
    "report, filed under the fiscal year that contains that day. CalHR's Asian and Pacific Islander "
    'subgroups are added into Asian and Native Hawaiian or Pacific Islander; "Other or Multiple Race" is '
    "in the total but in no group."
)


def tracker_group(identity: str) -> str | None:
    """The tracker group of a CalHR "Identity Variable"; None for "Other or Multiple Race"."""
    if identity == OTHER:
        return None
    if identity.startswith("Asian - "):
        return "Asian"
    if identity.startswith("Pacific Islander - "):
        return "Native Hawaiian or Pacific Islander"
    if identity == "Native American or Alaska Native":
        return "American Indian or Alaska Native"
    if identity in GROUPS:
        return identity
    raise ValueError(f"unknown CalHR identity category {identity!r}")


def as_of(text: str) -> dt.date:
    """The report's date: "2019-12-31" as written here for 2019 and 2021, "12/31/2020" in 2020."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.datetime.strptime(text, "%m/%d/%Y").date()


def read_counts() -> tuple[Counter, Counter, Counter]:
    """(bureau, date) totals, (bureau, date, group) counts and (bureau, date) "Other or Multiple Race"."""
    totals: Counter = Counter()
    groups: Counter = Counter()
    other: Counter = Counter()
    for path in sorted((FOLDER / "source").glob("calhr-5102-statewide-*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for raw in csv.DictReader(handle):
                row = {name.replace(" ", ""): value for name, value in raw.items()}  # 2021 drops the spaces
                code = DEPARTMENTS[row["Dept"]][0]
                day = as_of(row["AsOfDate"])
                count = int(row["RecordCount"])
                totals[code, day] += count
                group = tracker_group(row["IdentityVariable"])
                if group is None:
                    other[code, day] += count
                else:
                    groups[code, day, group] += count
    return totals, groups, other


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with (FOLDER / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    totals, groups, other = read_counts()
    bureaus = sorted(DEPARTMENTS.values())
    write("bureaus.csv", ["code", "name"], [list(bureau) for bureau in bureaus])
    write(
        "goals.csv",
        ["bureau_code", "goal_key", "title", "citywide_goal", "focus_area"],
        [[code, "workforce", "Workforce demographics", 2, "workforce"] for code, _ in bureaus],
    )
    write("actions.csv", ACTIONS, [])
    name = "Employees by race/ethnicity (CalHR 5102, as of 31 December)"
    measures = [
        [code, "workforce", "headcount", name, "count", "neutral", "annual", "", "", "", "", "yes",
         "workforce_headcount", "how_much", SOURCE_CITATION, DESCRIPTION]
        for code, _ in bureaus
    ]  # fmt: skip
    write("measures.csv", MEASURES, measures)
    values = []
    for code, day in sorted(totals):
        start = day.year if day.month >= 7 else day.year - 1  # the fiscal year that contains the day
        period, dropped = f"FY {start}-{(start + 1) % 100:02d}", other[code, day]
        note = f"Employees on {day.day} {day:%B %Y} (CalHR 5102)."
        if dropped:
            note += (
                f' Includes {dropped} employee(s) whom CalHR reports as "Other or Multiple Race", a category '
                "that is none of the tracker's groups, so the groups add up to that many fewer."
            )
        values.append([code, "headcount", period, "", totals[code, day], "", "", note])
        values += [[code, "headcount", period, g, groups[code, day, g], "", "", ""] for g in GROUPS]
    write("values.csv", VALUES, values)


if __name__ == "__main__":
    main()
