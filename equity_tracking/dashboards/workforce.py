"""Is the city's workforce becoming more representative? Each race/ethnicity group's share of the
city's workforce, and of each bureau's, against its share of the city's residents, year by year.

Built from every bureau's headcount by race/ethnicity (the measures that carry the shared indicator
:data:`equity_tracking.reference.WORKFORCE_HEADCOUNT`), added up to the city and suppressed in both
directions by :meth:`equity_tracking.suppression.PublicView.indicator_grid`. A share is of everyone
whose race/ethnicity is known; the representation index is the share ÷ the residents' share (1.0 is
parity); the gap to parity is how many more (or fewer) people of the group the workforce would need
to match the residents' share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_tracking.formatting import MISSING, index, number, percent
from equity_tracking.periods import fiscal_year_label
from equity_tracking.reference import WORKFORCE_HEADCOUNT
from equity_tracking.suppression import CITY, HIDDEN_LABEL, PublicView


def headcount_measure_ids(definitions: pd.DataFrame) -> list[int]:
    if "indicator" not in definitions:
        return []
    return definitions.loc[definitions["indicator"] == WORKFORCE_HEADCOUNT, "measure_id"].astype(int).tolist()


def benchmark_name(definitions: pd.DataFrame, benchmarks: pd.DataFrame) -> str:
    """The population the headcounts are compared with (the one most headcount measures name, e.g.
    the city's residents), as the city named it; "the benchmark population" if none is named."""
    ids = definitions.loc[definitions["measure_id"].isin(headcount_measure_ids(definitions)), "benchmark_id"]
    names = benchmarks.drop_duplicates("benchmark_id").set_index("benchmark_id")["benchmark_name"]
    named = ids.dropna().astype(int).map(names).dropna()
    return str(named.mode().iloc[0]) if len(named) else "the benchmark population"


def workforce_grid(view: PublicView, definitions: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """The suppressed grid with each cell's share, representation index and gap to parity (NaN where
    hidden), and the group's name and order. Unknown/declined rows are left out (they are not a race
    or ethnicity; shares are of everyone else)."""
    grid = view.indicator_grid(headcount_measure_ids(definitions))
    lookup = groups.set_index("id")
    grid = grid[~grid["group_id"].map(lookup["is_unknown"]).fillna(False).astype(bool)].copy()
    grid["group"] = grid["group_id"].map(lookup["name"]).astype(str)
    grid["sort_order"] = grid["group_id"].map(lookup["sort_order"])
    with np.errstate(invalid="ignore", divide="ignore"):
        grid["share"] = grid["people"] / grid["known_total"].where(grid["known_total"] > 0)
        grid["index"] = grid["share"] / grid["benchmark_share"].where(grid["benchmark_share"] > 0)
        grid["gap"] = grid["benchmark_share"] * grid["known_total"] - grid["people"]
    return grid.sort_values(["fiscal_year", "bureau_id", "sort_order"]).reset_index(drop=True)


def years(grid: pd.DataFrame) -> list[int]:
    return sorted(int(year) for year in grid["fiscal_year"].unique())


def _shown(value: float, text: str, hidden: bool) -> str:
    return HIDDEN_LABEL if hidden else (text if pd.notna(value) else MISSING)


def city_year(grid: pd.DataFrame, year: int) -> pd.DataFrame:
    """The city's row for one year, a group per row, for people: Group, Employees, Share, Residents,
    Representation index, Gap to parity (people); and the same as data."""
    rows = grid[(grid["fiscal_year"] == year) & (grid["bureau_id"] == CITY)]
    return _people_table(rows, first="Group", name=rows["group"])


def _people_table(rows: pd.DataFrame, *, first: str, name: pd.Series) -> pd.DataFrame:
    hidden = rows["suppressed"].astype(bool)
    return pd.DataFrame(
        {
            first: name.astype(str).to_numpy(),
            "Employees": [
                _shown(v, number(v, unit="count"), h) for v, h in zip(rows["people"], hidden, strict=True)
            ],
            "Share": [_shown(v, percent(v * 100), h) for v, h in zip(rows["share"], hidden, strict=True)],
            "Residents": [percent(v * 100) for v in rows["benchmark_share"]],
            "Representation index": [
                _shown(v, index(v), h) for v, h in zip(rows["index"], hidden, strict=True)
            ],
            "Gap to parity (people)": [
                _shown(v, _gap_text(v), h) for v, h in zip(rows["gap"], hidden, strict=True)
            ],
        }
    )


def _gap_text(gap: float) -> str:
    if pd.isna(gap):
        return MISSING
    people = round(abs(gap))
    if people == 0:
        return "at parity"
    return f"{people:,} {'fewer' if gap > 0 else 'more'} than parity"


def grid_data(rows: pd.DataFrame, bureaus: pd.DataFrame) -> pd.DataFrame:
    """Grid rows as data: fiscal_year, bureau code ("CITY" for the city), group, employees (empty
    where hidden), known_total, share_pct, residents_pct, representation_index, gap_to_parity, hidden."""
    codes = bureaus.set_index("id")["code"]
    return pd.DataFrame(
        {
            "fiscal_year": rows["fiscal_year"].to_numpy(),
            "bureau_code": np.where(
                rows["bureau_id"] == CITY, "CITY", rows["bureau_id"].map(codes).fillna("")
            ),
            "group": rows["group"].to_numpy(),
            "employees": rows["people"].to_numpy(float),
            "known_total": rows["known_total"].to_numpy(float),
            "share_pct": (rows["share"] * 100).round(2).to_numpy(),
            "residents_pct": (rows["benchmark_share"] * 100).round(2).to_numpy(),
            "representation_index": rows["index"].round(3).to_numpy(),
            "gap_to_parity": rows["gap"].round(1).to_numpy(),
            "hidden": rows["suppressed"].astype(bool).to_numpy(),
        }
    )


def city_over_time(grid: pd.DataFrame) -> pd.DataFrame:
    """Each group's share of the city's workforce by year: fiscal_year, group, sort_order, share_pct,
    residents_pct, hidden."""
    rows = grid[grid["bureau_id"] == CITY]
    return pd.DataFrame(
        {
            "fiscal_year": rows["fiscal_year"].to_numpy(),
            "group": rows["group"].to_numpy(),
            "sort_order": rows["sort_order"].to_numpy(),
            "share_pct": (rows["share"] * 100).to_numpy(float),
            "residents_pct": (rows["benchmark_share"] * 100).to_numpy(float),
            "hidden": rows["suppressed"].astype(bool).to_numpy(),
        }
    )


def city_over_time_table(over_time: pd.DataFrame) -> pd.DataFrame:
    """:func:`city_over_time` as people read it: Year, Group, Share ("hidden" where it is), Residents."""
    return pd.DataFrame(
        {
            "Year": [fiscal_year_label(int(year)) for year in over_time["fiscal_year"]],
            "Group": over_time["group"].to_numpy(),
            "Share": [
                ("hidden" if hidden else f"{share:.1f} %")
                for share, hidden in zip(over_time["share_pct"], over_time["hidden"], strict=True)
            ],
            "Residents": [f"{share:.1f} %" for share in over_time["residents_pct"]],
        }
    )


def hidden_every_year(over_time: pd.DataFrame) -> list[str]:
    """The groups whose city share is hidden in every year (``city_over_time``), in their order:
    the trend chart draws no line for them."""
    always = over_time.groupby("group", sort=False)["hidden"].all()
    order = over_time.drop_duplicates("group").sort_values("sort_order")["group"]
    return [str(group) for group in order if always[group]]


def group_options(grid: pd.DataFrame) -> dict[str, str]:
    """``{group id: name}`` in the groups' order."""
    ordered = grid.drop_duplicates("group_id").sort_values("sort_order")
    return {
        str(int(group_id)): name for group_id, name in zip(ordered["group_id"], ordered["group"], strict=True)
    }


def bureaus_for_group(grid: pd.DataFrame, *, year: int, group_id: int, bureaus: pd.DataFrame) -> pd.DataFrame:
    """Each bureau's figures for one group in one year, most represented first (hidden ones last):
    bureau_id, code, name, people, share, index, gap, suppressed, benchmark_share."""
    rows = grid[(grid["fiscal_year"] == year) & (grid["group_id"] == group_id) & (grid["bureau_id"] != CITY)]
    known = bureaus.set_index("id")
    rows = rows.assign(
        code=rows["bureau_id"].map(known["code"]).fillna(""),
        name=rows["bureau_id"].map(known["name"]).fillna("Bureau"),
    )
    return rows.sort_values(["index", "name"], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


def bureau_table(rows: pd.DataFrame) -> pd.DataFrame:
    return _people_table(rows, first="Bureau", name=rows["name"])
