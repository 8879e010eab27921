"""Suppression across every public surface together (issue #11): no combination of a page, a download,
a report and an API answer lets a reader subtract back to a hidden count.

The reader here is independent of the suppression module: it is given everything published (each
table's shown figures and its total, the city's sums by group) and every sum a reader knows holds,
and solves each sum with one unknown left, again and again, as long as that finds something. No
hidden small count may come out, and no published sum may hold exactly one hidden figure.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from equity_tracking import annual_report, api, models, open_data, publication, reference, suppression
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


# --- every public surface of a real database, gathered for one bureau ----------------------------------

BB_HEADCOUNT = {1: 30, 2: 20, 3: 40, 4: 100, 5: 2}  # Asian, Black, Hispanic, White, Unknown: nothing small


@pytest.fixture
def two_headcounts(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The golden city, plus a headcount for the Bureau of Beta in FY 2016-17 (published).

    The Bureau of Alpha's FY 2016-17 headcount has Asian 5 (hidden, with White 150 and People of
    color 47). The city's Asian headcount is 5 + 30 = 35 on the workforce page, so Beta's Asian 30
    must be hidden wherever it appears, or 35 − 30 would give Alpha's 5 back."""
    from golden_city import build_golden_city

    golden = build_golden_city(engine)
    with Session(engine) as session:
        alpha = session.get(models.Measure, golden.measures["M2"])
        goal = session.scalars(select(models.BureauGoal).where(models.BureauGoal.key == "BB-G1")).one()
        beta = models.Measure(
            id=7, goal_id=goal.id, key="M7", name="Employees by race/ethnicity (Beta)", unit=alpha.unit,
            polarity=alpha.polarity, rba_category=alpha.rba_category, frequency=alpha.frequency,
            baseline_value=192.0, baseline_period_id=alpha.baseline_period_id, target_value=200.0,
            target_period_id=alpha.target_period_id, disaggregated=True, benchmark_id=alpha.benchmark_id,
            indicator=reference.WORKFORCE_HEADCOUNT, weight=1.0, sort_order=7,
        )  # fmt: skip
        session.add(beta)
        session.flush()
        entered = dt.datetime(2017, 8, 14, 17, tzinfo=dt.UTC)
        for group, count in [(None, float(sum(BB_HEADCOUNT.values()))), *BB_HEADCOUNT.items()]:
            session.add(
                models.MeasureValue(
                    measure_id=beta.id, period_id=alpha.baseline_period_id, group_id=group,
                    value=float(count), review_status=models.ReviewStatus.PUBLISHED, entered_at=entered,
                )
            )  # fmt: skip
        session.commit()
    monkeypatch.setenv("EQUITY_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    publication.forget()
    open_data.forget()
    return engine


def _api_values(measure_id: int) -> dict:
    client = TestClient(Starlette(routes=api.ROUTES))
    answer = client.get(f"/api/v1/measures/{measure_id}/values", params={"fy": "2016-17", "limit": 1000})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_every_surface_hides_the_same_figures_and_none_gives_a_hidden_count_back(two_headcounts):
    engine = two_headcounts
    asian, white, poc = 1, 4, 6
    # Worked by hand. Alpha: Asian 5 is small; White 150 (largest) and People of color 47 protect it.
    # Beta: Asian 30 hides because the city's Asian (35) is shown; then Beta's White 100 (largest)
    # and People of color (90), which would give 30 back from Black 20 and Hispanic 40.
    expected_hidden = {("M2", asian), ("M2", white), ("M2", poc), ("M7", asian), ("M7", white), ("M7", poc)}

    view = publication.public_view(engine, fiscal_year=2016)
    measure_ids = {"M2": 2, "M7": 7}
    pages = view.group_shares(measure_ids.values())
    pages = pages[pages["period_label"] == "FY 2016-17"]
    key_of = {number: key for key, number in measure_ids.items()}
    on_pages = {
        (key_of[int(m)], int(g))
        for m, g, s in zip(pages["measure_id"], pages["group_id"], pages["suppressed"], strict=True)
        if s
    }
    assert on_pages == expected_hidden

    grid = view.indicator_grid(measure_ids.values())
    year = grid[grid["fiscal_year"] == 2016]
    city = year[year["bureau_id"] == suppression.CITY].set_index("group_id")
    assert city.loc[asian, "people"] == 35  # the city's sum is shown…
    beta_grid = year[(year["bureau_id"] == 2)].set_index("group_id")  # Beta is bureau 2
    assert beta_grid.loc[asian, "suppressed"]  # …so Beta's Asian is hidden there, as on its page

    keys_by_group = {1: "asian", 4: "white", 6: "people_of_color"}
    for key in ("M2", "M7"):
        body = _api_values(measure_ids[key])
        hidden = {row["group_key"] for row in body["data"] if row["suppressed"]}
        assert hidden == {keys_by_group[g] for k, g in expected_hidden if k == key}, key
        for row in body["data"]:
            if row["suppressed"]:
                assert row["value"] is None
                assert row["value_label"] == suppression.HIDDEN_LABEL

    with zipfile.ZipFile(io.BytesIO(open_data.bundle_zip(engine))) as bundle:
        values = pd.read_csv(bundle.open("values.csv"), keep_default_na=False)
    values = values[(values["fiscal_year"] == "2016-17") & values["measure_key"].isin(["M2", "M7"])]
    hidden_in_bundle = {
        (k, g)
        for k, g, s in zip(values["measure_key"], values["group_key"], values["suppressed"], strict=True)
        if s == "yes"
    }
    assert hidden_in_bundle == {(k, keys_by_group[g]) for k, g in expected_hidden}
    # No hidden figure's true value is anywhere in the bundle's rows for these tables.
    assert "hidden" in set(values.loc[values["group_key"] == "asian", "value_label"])

    # Beta's annual report for FY 2016-17: its table by race/ethnicity hides the same three. Shares
    # are of the 190 whose race is known (192 − 2 unknown): Black 20 → 10.5 %, Hispanic 40 → 21.1 %.
    report = annual_report.bureau_report(engine, fiscal_year=2016, bureau_code="BB")
    (table,) = report.section("measure-7").tables or [
        chart.table for chart in report.section("measure-7").charts
    ]
    by_group = {row[0]: row[1] for row in table.rows}
    assert by_group == {
        "Asian": suppression.HIDDEN_LABEL,
        "Black or African American": "20 (10.5 %)",
        "Hispanic or Latino": "40 (21.1 %)",
        "White": suppression.HIDDEN_LABEL,
        "People of color": suppression.HIDDEN_LABEL,
    }

    # The reader's subtraction over everything gathered: each table's total minus what any surface
    # shows, and the city's Asian figure minus the bureaus' shown Asian figures.
    shown = _shown_values(values)
    for key in ("M2", "M7"):
        base = [
            (key, group)
            for group in ("asian", "black_african_american", "hispanic_latino", "white", "unknown_declined")
        ]
        unknown = [cell for cell in base if cell not in shown]
        assert len(unknown) != 1, (key, unknown)
    assert ("M7", "asian") not in shown  # 35 − Beta's Asian would give Alpha's 5 back


def _shown_values(values: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {
        (str(k), str(g)): float(v)
        for k, g, v, label in zip(
            values["measure_key"], values["group_key"], values["value"], values["value_label"], strict=True
        )
        if g and label != suppression.HIDDEN_LABEL
    }


def test_a_count_measure_without_a_shared_indicator_is_judged_on_its_own():
    # Bureau 3's "Residents served" counts people but is summed with nothing: its table alone
    # decides (Asian 4 small; White 60, the largest, protects it), and it joins no city grid.
    counts = {
        1: {ASIAN: 15, BLACK: 40, WHITE: 100, UNKNOWN: 2},
        2: {ASIAN: 30, BLACK: 20, WHITE: 200, UNKNOWN: 1},
    }
    rows, measures = _city(counts, quarters=False)
    own = {ASIAN: 4, BLACK: 30, WHITE: 60, UNKNOWN: 0}
    extra = rows[rows["measure_id"] == 11].copy()
    extra["measure_id"] = 99
    extra["value"] = extra["group_id"].map(own).astype(float)
    rows = pd.concat([rows, extra], ignore_index=True)
    measures = pd.concat(
        [
            measures,
            pd.DataFrame({"measure_id": [99], "bureau_id": [3], "unit": ["count"], "indicator": [None]}),
        ],
        ignore_index=True,
    ).astype({"indicator": "string"})  # as the database reads it: a missing indicator is <NA>
    codes, grid = suppression.linked_codes(rows, measures=measures, setup=SETUP)
    hidden = {
        int(g) for m, g, c in zip(rows["measure_id"], rows["group_id"], codes, strict=True) if m == 99 and c
    }
    assert hidden == {ASIAN, WHITE}
    assert set(grid["indicator"]) == {"workforce_headcount"}
    assert 3 not in set(grid["bureau_id"])
