"""Suppression across every public surface together (issue #11): no combination of a page, a download,
a report and an API answer lets a reader subtract back to a hidden count.

The reader here is independent of the suppression module: it is given everything published (each
table's shown figures and its total, the city's sums by group) and every sum a reader knows holds,
and solves each sum with one unknown left, again and again, as long as that finds something. No
hidden small count may come out, and no published sum may hold exactly one hidden figure.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equity_tracking import suppression
from equity_tracking.suppression import CITY, SHOWN, GroupSetup

ASIAN, BLACK, WHITE, UNKNOWN = 1, 2, 3, 4
GROUPS = (ASIAN, BLACK, WHITE, UNKNOWN)
SETUP = GroupSetup(unknown=frozenset({UNKNOWN}), rollups={})
FY, Q4 = 2018, 2019  # period ids: FY 2018-19 and its fourth quarter, which end on the same day
PERIODS = {
    FY: (pd.Timestamp("2018-07-01"), pd.Timestamp("2019-06-30")),
    Q4: (pd.Timestamp("2019-04-01"), pd.Timestamp("2019-06-30")),
}


def _city(counts: dict[int, dict[int, int]], *, quarters: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group rows of one headcount measure per bureau (measure id = bureau id + 10), in FY 2018-19
    and, with ``quarters``, its fourth quarter too (the same figures: a headcount is a stock)."""
    periods = [FY, Q4] if quarters else [FY]
    rows = pd.DataFrame(
        [
            {
                "measure_id": bureau + 10,
                "period_id": period,
                "period_start": PERIODS[period][0],
                "period_end": PERIODS[period][1],
                "group_id": group,
                "value": float(count),
                "numerator": np.nan,
            }
            for bureau, table in counts.items()
            for period in periods
            for group, count in table.items()
        ]
    )
    measures = pd.DataFrame(
        {
            "measure_id": [bureau + 10 for bureau in counts],
            "bureau_id": list(counts),
            "unit": "count",
            "indicator": "workforce_headcount",
        }
    )
    return rows, measures


def _published(rows: pd.DataFrame, codes: pd.Series, grid: pd.DataFrame) -> dict:
    """What every surface shows together: each row's figure or nothing (hidden), and the city's."""
    shown = {
        (int(m), int(p), int(g)): float(v)
        for m, p, g, v, code in zip(
            rows["measure_id"], rows["period_id"], rows["group_id"], rows["value"], codes, strict=True
        )
        if code == SHOWN
    }
    city = grid[grid["bureau_id"] == CITY]
    shown.update(
        {
            ("city", int(g)): float(n)
            for g, n, code in zip(city["group_id"], city["people"], city["code"], strict=True)
            if code == SHOWN
        }
    )
    return shown


def _sums(rows: pd.DataFrame) -> list[tuple[float, list]]:
    """Every sum a reader knows holds, as (its published value, its cells): each table's groups to
    its total; the bureaus' year figures of a group to the city's; a fiscal year's figure to its
    fourth quarter's. A city cell stands for an unknown too when it is hidden (value NaN here)."""
    sums: list[tuple[float, list]] = []
    for (measure, period), table in rows.groupby(["measure_id", "period_id"]):
        cells = [(int(measure), int(period), int(g)) for g in table["group_id"]]
        sums.append((float(table["value"].sum()), cells))
    year = rows[rows["period_id"] == FY]
    for group, column in year.groupby("group_id"):
        cells = [(int(m), FY, int(group)) for m in column["measure_id"]]
        sums.append((np.nan, [*cells, ("city", int(group))]))  # Σ bureaus − city = 0
    for (measure, group), same in rows.groupby(["measure_id", "group_id"]):
        if len(same) == 2:
            sums.append((np.nan, [(int(measure), FY, int(group)), (int(measure), Q4, int(group))]))
    return sums


def _worked_back(rows: pd.DataFrame, shown: dict) -> dict:
    """Every figure a reader can work out by solving sums with one unknown, repeatedly."""
    known = dict(shown)
    sums = _sums(rows)
    changed = True
    while changed:
        changed = False
        for total, cells in sums:
            unknown = [cell for cell in cells if cell not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            if np.isnan(total):  # a difference: Σ bureaus = city, or FY = Q4
                signs = _difference_signs(cells)
                rest = sum(signs[c] * known[c] for c in cells if c != cell)
                known[cell] = -rest * signs[cell]
            else:
                known[cell] = total - sum(known[c] for c in cells if c != cell)
            changed = True
    return known


def _difference_signs(cells: list) -> dict:
    """Σ bureaus − city = 0 (the city cell last), or FY − Q4 = 0."""
    if cells[-1][0] == "city":
        return {**dict.fromkeys(cells[:-1], 1.0), cells[-1]: -1.0}
    return {cells[0]: 1.0, cells[1]: -1.0}


def _small_hidden(rows: pd.DataFrame, codes: pd.Series) -> dict:
    return {
        (int(m), int(p), int(g)): float(v)
        for m, p, g, v, code in zip(
            rows["measure_id"], rows["period_id"], rows["group_id"], rows["value"], codes, strict=True
        )
        if code != SHOWN and v < suppression.THRESHOLD and g != UNKNOWN
    }


# --- by hand: the leak a page and the workforce page used to make together -----------------------------


def test_a_bureau_figure_hidden_to_protect_another_bureau_is_hidden_on_every_surface():
    # Bureau 1: Asian 5 (small) hides, with its largest group, White 100, so that its total (147)
    # minus the rest cannot give 5 back. The city's Asian figure (35) is the sum of both bureaus':
    # with bureau 2's Asian (30) shown, 35 − 30 = 5 would give it back, so bureau 2's Asian hides
    # too, and then bureau 2's White (200), the largest, so that bureau 2's total cannot give 30
    # back. The measure page of bureau 2 used to show 30 and 200: its own table has nothing small.
    counts = {
        1: {ASIAN: 5, BLACK: 40, WHITE: 100, UNKNOWN: 2},
        2: {ASIAN: 30, BLACK: 20, WHITE: 200, UNKNOWN: 1},
    }
    rows, measures = _city(counts, quarters=False)
    codes, grid = suppression.linked_codes(rows, measures=measures, setup=SETUP)
    hidden = {
        (m - 10, g)
        for m, g, code in zip(rows["measure_id"], rows["group_id"], codes, strict=True)
        if code != SHOWN
    }
    assert hidden == {(1, ASIAN), (1, WHITE), (2, ASIAN), (2, WHITE)}
    # The city's sums stay shown: Asian 35, Black 60, White 300, Unknown 3.
    city = grid[grid["bureau_id"] == CITY].set_index("group_id")
    assert (city["code"] == SHOWN).all()
    assert city["people"].to_dict() == {ASIAN: 35.0, BLACK: 60.0, WHITE: 300.0, UNKNOWN: 3.0}
    # What every surface shows together gives nothing back: A1 + W1 = 105, A1 + A2 = 35, …
    worked = _worked_back(rows, _published(rows, codes, grid))
    assert (11, FY, ASIAN) not in worked


def test_a_fourth_quarter_equal_to_its_year_hides_with_it():
    counts = {
        1: {ASIAN: 4, BLACK: 40, WHITE: 100, UNKNOWN: 2},
        2: {ASIAN: 30, BLACK: 20, WHITE: 200, UNKNOWN: 1},
    }
    rows, measures = _city(counts, quarters=True)
    codes, _ = suppression.linked_codes(rows, measures=measures, setup=SETUP)
    by_period = {
        (m - 10, p, g): code != SHOWN
        for m, p, g, code in zip(rows["measure_id"], rows["period_id"], rows["group_id"], codes, strict=True)
    }
    for bureau, group in itertools.product(counts, GROUPS):
        assert by_period[(bureau, FY, group)] == by_period[(bureau, Q4, group)], (bureau, group)
    assert by_period[(1, FY, ASIAN)]
    assert by_period[(1, Q4, ASIAN)]


# --- the property, over random cities ---------------------------------------------------------------

_figure = st.one_of(st.integers(0, 12), st.integers(0, 60))
_table = st.fixed_dictionaries({ASIAN: _figure, BLACK: _figure, WHITE: _figure, UNKNOWN: st.integers(0, 5)})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_table, min_size=2, max_size=4), st.booleans())
def test_no_surface_together_gives_a_hidden_count_back(tables, quarters):
    counts = dict(enumerate(tables, start=1))
    rows, measures = _city(counts, quarters=quarters)
    codes, grid = suppression.linked_codes(rows, measures=measures, setup=SETUP)
    shown = _published(rows, codes, grid)
    worked = _worked_back(rows, shown)
    for cell, value in _small_hidden(rows, codes).items():
        assert cell not in worked, (counts, cell, value)
    # Every published sum holds no hidden figure or at least two.
    for _total, cells in _sums(rows):
        hidden = [cell for cell in cells if cell not in shown]
        assert len(hidden) != 1, (counts, cells)
