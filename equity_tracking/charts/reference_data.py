"""Tables and the figure of the reference-data page (administrators): the groups, the benchmark
populations and each group's share of one, and the reporting cycles, as people read them.

Pure pandas and the shared chart stack: the page passes the frames ``reference_admin`` reads.
"""

from __future__ import annotations

import pandas as pd

from equity_tracking.charts.style import Chart, escaped, labelled_bars
from equity_tracking.formatting import date_text, percent


def _kind(row: pd.Series) -> str:
    if row["is_rollup"]:
        return "Roll-up"
    return "Race not known" if row["is_unknown"] else "Group"


def groups_table(groups: pd.DataFrame) -> pd.DataFrame:
    """One row per group, in order: Name, Key, Order, Kind, Adds up, Status."""
    return pd.DataFrame(
        {
            "Name": groups["name"],
            "Key": groups["key"],
            "Order": groups["sort_order"].astype(int),
            "Kind": [_kind(row) for _, row in groups.iterrows()],
            "Adds up": groups["members"].where(groups["is_rollup"], "—"),
            "Status": groups["active"].map({True: "Active", False: "Archived"}),
        }
    )


def year_text(year: object, *, blank: str = "—") -> str:
    """A population's year as written ("2021"), or ``blank`` when it has none."""
    return blank if year is None or pd.isna(year) else str(int(year))  # type: ignore[call-overload]


def benchmark_labels(benchmarks: pd.DataFrame) -> dict[int, str]:
    """``{id: "City residents (2021)"}``, archived ones marked, for a picker."""
    return {
        int(row["id"]): f"{row['name']} ({year_text(row['year'])})"
        + (" — archived" if row["archived"] else "")
        for _, row in benchmarks.iterrows()
    }


def shares_alt(shares: pd.DataFrame) -> str:
    """The chart's text alternative: what it shows, in one sentence."""
    listed = "; ".join(
        f"{group} {percent(share * 100)}"
        for group, share in zip(shares["group"], shares["share"], strict=True)
    )
    return f"One bar per group: {listed}. Together they add up to {percent(shares['share'].sum() * 100)}."


def benchmarks_table(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """One row per population: Name, Year, Source, Key, Shares add up to, Status."""
    return pd.DataFrame(
        {
            "Name": benchmarks["name"],
            "Year": benchmarks["year"].map(year_text),
            "Source": benchmarks["source"].fillna("—"),
            "Key": benchmarks["key"],
            "Shares add up to": (benchmarks["share_total"] * 100).map(percent),
            "Status": benchmarks["archived"].map({True: "Archived", False: "In use"}),
        }
    )


def shares_table(shares: pd.DataFrame) -> pd.DataFrame:
    """Group, Share (%), as a person reads them."""
    return pd.DataFrame({"Group": shares["group"], "Share": (shares["share"] * 100).map(percent)})


def shares_chart(shares: pd.DataFrame, *, benchmark: str, year: object, source: object) -> Chart:
    """Each base group's share of one benchmark population, one labelled bar per group."""
    frame = pd.DataFrame(
        {
            "label": escaped(shares["group"]),
            "value": shares["share"] * 100,
            "text": (shares["share"] * 100).map(percent),
        }
    )
    figure = labelled_bars(
        frame, label="label", value="value", text="text", x_title="Share of the population (%)"
    )
    when = f", {year_text(year)}" if year_text(year, blank="") else ""
    where = source if isinstance(source, str) and source else "not recorded"
    return Chart(figure, f"Each group's share of {benchmark}{when}", where)


def cycles_table(cycles: pd.DataFrame) -> pd.DataFrame:
    """Fiscal year, Opens on, Due on."""
    return pd.DataFrame(
        {
            "Fiscal year": cycles["label"],
            "Opens on": cycles["opens_on"].map(date_text),
            "Due on": cycles["due_on"].map(date_text),
        }
    )


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """When (UTC), Who, What, Change: a record's entries in the audit log as people read them."""
    return pd.DataFrame(
        {
            "When (UTC)": history["at"].dt.strftime("%Y-%m-%d %H:%M"),
            "Who": history["user"],
            "What": history["action"].str.replace("_", " "),
            "Change": history["change"],
        }
    )
