"""Small-count suppression (equity_tracking.suppression): the hidden count cannot be worked back out.

The property test plays a reader who knows the rule: it lists every table that would have been
published exactly as this one was, and checks that each hidden small count could be any value the
published figures allow.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from equity_tracking import suppression
from equity_tracking.analytics.disparities import (
    disparities_by_period,
    disparity_summary,
    group_shares,
    group_values,
)
from equity_tracking.suppression import (
    COMPLEMENT,
    SHOWN,
    SMALL,
    GroupSetup,
    Relation,
    hide_cells,
    table_codes,
)

ASIAN, BLACK, HISPANIC, WHITE, UNKNOWN, POC = 1, 2, 3, 4, 5, 6
GROUPS = pd.DataFrame(
    {
        "id": [ASIAN, BLACK, HISPANIC, WHITE, UNKNOWN, POC],
        "key": ["asian", "black", "hispanic", "white", "unknown_declined", "people_of_color"],
        "name": ["Asian", "Black", "Hispanic or Latino", "White", "Unknown or declined", "People of color"],
        "sort_order": [1, 2, 3, 4, 5, 6],
        "is_rollup": [False, False, False, False, False, True],
        "is_unknown": [False, False, False, False, True, False],
    }
)
MEMBERSHIPS = pd.DataFrame({"rollup_id": [POC] * 3, "member_id": [ASIAN, BLACK, HISPANIC]})
SETUP = GroupSetup.from_frames(GROUPS, MEMBERSHIPS)
BASE = (ASIAN, BLACK, HISPANIC, WHITE, UNKNOWN)


def codes_for(counts: dict[int, int]) -> dict[int, int]:
    """Suppression codes of one headcount table (roll-up computed from its members)."""
    table = {**counts, POC: counts[ASIAN] + counts[BLACK] + counts[HISPANIC]}
    ids = list(table)
    codes = table_codes(ids, [float(table[group]) for group in ids], SETUP, adds_up=True)
    return dict(zip(ids, codes.tolist(), strict=True))


# --- the rule, by hand -------------------------------------------------------------------------------


def test_a_small_count_hides_with_the_largest_figure_and_the_roll_up_that_would_give_it_back():
    # Asian 5 is small. The groups add up to the total (200): with Asian alone hidden, 200 minus the
    # rest gives 5 back, so the largest shown group (White, 150) is hidden too. "People of color"
    # (47) minus Black and Hispanic would give 5 back as well, so it hides; and then the total minus
    # People of color, White and Unknown… is two hidden figures: safe.
    codes = codes_for({ASIAN: 5, BLACK: 12, HISPANIC: 30, WHITE: 150, UNKNOWN: 3})
    assert codes == {
        ASIAN: SMALL,
        BLACK: SHOWN,
        HISPANIC: SHOWN,
        WHITE: COMPLEMENT,
        UNKNOWN: SHOWN,
        POC: COMPLEMENT,
    }


def test_the_unknown_group_is_never_hidden():
    # 3 people did not state their race: that reveals nobody's race, and the shares of the others
    # are of the 197 whose race is known.
    codes = codes_for({ASIAN: 15, BLACK: 12, HISPANIC: 30, WHITE: 140, UNKNOWN: 3})
    assert set(codes.values()) == {SHOWN}


def test_two_small_counts_whose_sum_would_pin_them_get_a_protector():
    # Black 9 and Hispanic 9 hidden alone: the total minus the rest is 18, so both must be 9. With
    # White (150) hidden too, the 168 left could be split any way; "People of color" (38) minus Asian
    # would give Black and Hispanic's 18 back, so it hides as well.
    codes = codes_for({ASIAN: 20, BLACK: 9, HISPANIC: 9, WHITE: 150, UNKNOWN: 0})
    assert codes[BLACK] == codes[HISPANIC] == SMALL
    assert codes[WHITE] == codes[POC] == COMPLEMENT


def test_a_protector_only_just_larger_than_the_figures_shown_gets_company():
    # Asian 2 hidden with White 40: a reader who knows the rule knows White is at least as large as
    # the largest figure shown (Hispanic, 40), so Asian ≤ 42 − 40 = 2. Another figure hides.
    counts = {0: 2.0, 1: 40.0, 2: 40.0, 3: 30.0}
    codes = hide_cells(counts, [Relation(None, (0, 1, 2, 3))], may_hide=[0, 1, 2, 3])
    assert codes[0] == SMALL
    assert sum(code == COMPLEMENT for code in codes.values()) == 2


def test_rates_hide_small_counts_only():
    # A rate's groups do not add up to the total rate: only the group counting 3 people hides.
    codes = table_codes([ASIAN, WHITE], [3.0, 40.0], SETUP, adds_up=False)
    assert codes.tolist() == [SMALL, SHOWN]


# --- derived figures: the reconstruction the issue found ---------------------------------------------

HEADCOUNT = 1
MEASURES = pd.DataFrame(
    {
        "measure_id": [HEADCOUNT],
        "unit": ["count"],
        "polarity": ["neutral"],
        "benchmark_id": pd.array([1], dtype="Int64"),
        "baseline_period_id": pd.array([2018], dtype="Int64"),
    }
)
# Residents: Asian 8 %, Black 10 %, Hispanic 20 %, White 62 %.
BENCHMARK = pd.DataFrame(
    {
        "benchmark_id": 1,
        "group_id": [ASIAN, BLACK, HISPANIC, WHITE, UNKNOWN],
        "share": [0.08, 0.1, 0.2, 0.62, 0.0],
    }
)


def _analytics(counts: dict[int, int]):
    rows = pd.DataFrame(
        [
            {
                "version_id": index + 1,
                "measure_id": HEADCOUNT,
                "period_id": 2018,
                "group_id": group,
                "value": float(count),
                "numerator": np.nan,
                "denominator": np.nan,
                "period_label": "FY 2018-19",
                "period_start": pd.Timestamp("2018-07-01"),
                "period_end": pd.Timestamp("2019-06-30"),
                "entered_at": pd.Timestamp("2019-08-01", tz="UTC"),
            }
            for index, (group, count) in enumerate(counts.items())
        ]
    )
    grouped = group_values(
        rows, as_of="2019-09-30", groups=GROUPS, memberships=MEMBERSHIPS, measures=MEASURES
    )
    shares = group_shares(
        grouped, measures=MEASURES, groups=GROUPS, memberships=MEMBERSHIPS, benchmark_shares=BENCHMARK
    )
    by_period = disparities_by_period(shares, measures=MEASURES, groups=GROUPS)
    return shares, by_period, disparity_summary(by_period, measures=MEASURES)


def test_the_hidden_count_cannot_be_worked_back_from_the_equity_score():
    # The bureau page used to hide Asian (6 people) but print: "The most represented group (White)
    # compared with the least represented (Asian): ratio 3.125". With White's index and the benchmark
    # shares, 6 came straight back. Worked by hand on the unsuppressed figures: 150 known people;
    # Asian 6 → share 0.04, index 0.04 ÷ 0.08 = 0.5; White 100 → 0.6667 ÷ 0.62 = 1.0753; … the ratio
    # of the extremes is what gives Asian away.
    counts = {ASIAN: 6, BLACK: 15, HISPANIC: 29, WHITE: 100, UNKNOWN: 0}
    shares, by_period, summary = _analytics(counts)
    raw = by_period.iloc[0]
    assert raw["disadvantaged_group"] == "Asian"
    white_index = (100 / 150) / 0.62
    recovered = white_index / raw["disparity_ratio"] * 0.08 * 150
    assert round(recovered) == 6  # the leak, on the figures the analytics keep for staff

    public = suppression.public_shares(shares, measures=MEASURES, setup=SETUP)
    public_by_period = suppression.public_disparities(by_period, public)
    public_summary = suppression.public_summary(summary, public_by_period)
    asian = public[public["group_id"] == ASIAN].iloc[0]
    assert asian["suppressed"]
    assert asian[["value", "count", "share", "representation_index", "parity_gap"]].isna().all()
    # The score, its ratio, the groups it names and its sentence are gone; what is left names no one.
    row = public_by_period.iloc[0]
    assert pd.isna(row["disparity_ratio"])
    assert pd.isna(row["equity_score"])
    assert row["advantaged_group"] == row["disadvantaged_group"] == ""
    assert row["disparity_reason_code"] == "suppressed"
    assert "Asian" not in row["disparity_reason"]
    assert "6" not in row["disparity_reason"]
    assert pd.isna(public_summary.iloc[0]["equity_score"])
    # And "People of color" minus Black and Hispanic does not give it back either: it hides too.
    poc = public[public["group_id"] == POC].iloc[0]
    assert poc["suppressed"]
    assert pd.isna(poc["value"])
    shown = public[~public["suppressed"]]
    assert set(shown["group_id"]) == {BLACK, HISPANIC, UNKNOWN}


# --- the property: no hidden count can be recovered, or narrowed, from what is shown ------------------

_count = st.integers(min_value=0, max_value=14)


def _published(codes: dict[int, int], counts: dict[int, int]) -> dict:
    """What a reader sees: each figure or "hidden", and the total (always published)."""
    table = {**counts, POC: counts[ASIAN] + counts[BLACK] + counts[HISPANIC]}
    shown = {group: table[group] for group, code in codes.items() if code == SHOWN}
    return {
        "shown": shown,
        "hidden": sorted(g for g, c in codes.items() if c != SHOWN),
        "total": sum(counts.values()),
    }


def _published_alike(view: dict, fixed: dict[int, int]) -> bool:
    """Whether some headcount table with the figures in ``fixed`` adds up to the published total and
    would have been published exactly as this one was (the same figures shown, the same hidden)."""
    known = {group: value for group, value in view["shown"].items() if group in BASE}
    free = [group for group in view["hidden"] if group in BASE and group not in fixed]
    rest = view["total"] - sum(known.values()) - sum(fixed.values())
    if rest < 0:
        return False
    if not free:
        candidate = {**known, **fixed}
        return rest == 0 and _published(codes_for(candidate), candidate) == view
    # Small values first for all but the last hidden figure, which takes the rest: the tables a
    # reader must rule out come first.
    for values in itertools.product(range(rest + 1), repeat=len(free) - 1):
        last = rest - sum(values)
        if last < 0:
            continue
        candidate = {**known, **fixed, **dict(zip(free, [*values, last], strict=True))}
        if _published(codes_for(candidate), candidate) == view:
            return True
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(_count, _count, _count, st.integers(min_value=0, max_value=40), st.integers(0, 6)))
def test_no_hidden_count_can_be_recovered_or_narrowed(counts_tuple):
    counts = dict(zip(BASE, counts_tuple, strict=True))
    codes = codes_for(counts)
    view = _published(codes, counts)
    hidden_sum = view["total"] - sum(value for group, value in view["shown"].items() if group in BASE)
    for group in (group for group, code in codes.items() if code == SMALL):
        # Every value from 0 up to 9 (or up to the hidden figures' total, when that is less) fits
        # what was published: the count is neither recoverable nor narrowed down.
        for value in range(min(suppression.THRESHOLD - 1, hidden_sum) + 1):
            assert _published_alike(view, {group: value}), (counts, group, value)


def test_nothing_is_hidden_when_no_group_is_small():
    counts = {ASIAN: 10, BLACK: 10, HISPANIC: 10, WHITE: 10, UNKNOWN: 0}
    assert set(codes_for(counts).values()) == {SHOWN}


@pytest.mark.parametrize("unit", ["dollars", "days"])
def test_figures_that_count_no_people_are_never_hidden(unit):
    rows = pd.DataFrame({"value": [3.0, 2.0], "numerator": [np.nan, np.nan]})
    assert np.isnan(suppression.people_counted(rows, pd.Series([unit, unit]))).all()


# --- the grid: bureaus by group, with the city's sums (the workforce page) ---------------------------

GRID_GROUPS = (ASIAN, BLACK, WHITE, UNKNOWN)  # no roll-up: each bureau's groups add up to its total


def _grid_codes(counts: dict[tuple[int, int], int]) -> dict[tuple[int, int], int]:
    bureaus = sorted({bureau for bureau, _ in counts})
    city = {group: sum(counts[(bureau, group)] for bureau in bureaus) for group in GRID_GROUPS}
    cells = pd.DataFrame(
        [(bureau, group, float(n)) for (bureau, group), n in counts.items()]
        + [(suppression.CITY, group, float(n)) for group, n in city.items()],
        columns=["bureau_id", "group_id", "people"],
    )
    codes = suppression.grid_codes(cells, SETUP)
    cell_ids = zip(cells["bureau_id"], cells["group_id"], codes, strict=True)
    return {(int(bureau), int(group)): int(code) for bureau, group, code in cell_ids}


def _grid_relations(bureaus: list[int]) -> list[tuple[tuple[int, int] | None, list[tuple[int, int]]]]:
    """What adds up on the page: each bureau's groups (and the city's) to its published total, and
    each group's bureaus to the city's figure."""
    rows = [(None, [(bureau, group) for group in GRID_GROUPS]) for bureau in [*bureaus, suppression.CITY]]
    columns = [((suppression.CITY, group), [(bureau, group) for bureau in bureaus]) for group in GRID_GROUPS]
    return rows + columns


def _another_table_fits(
    known: dict, hidden: list, relations: list, totals: dict, cell: tuple[int, int], not_value: int
) -> bool:
    """Whether some table of non-negative whole numbers agrees with every published figure and sum but
    gives ``cell`` a value other than ``not_value``: a reader then cannot know the hidden count."""
    bound = max(totals.values())

    def search(values: dict) -> bool:
        values = dict(values)
        changed = True
        while changed:  # a relation with one unknown left decides it
            changed = False
            for index, (total, parts) in enumerate(relations):
                whole = totals[index] if total is None else values.get(total)
                unknown = [part for part in parts if part not in values]
                if whole is None:
                    if not unknown and total is not None:
                        values[total] = sum(values[part] for part in parts)
                        changed = True
                    continue
                rest = whole - sum(values[part] for part in parts if part in values)
                if rest < 0:
                    return False
                if not unknown:
                    if rest != 0:
                        return False
                elif len(unknown) == 1:
                    values[unknown[0]] = rest
                    changed = True
        if cell in values and values[cell] == not_value:
            return False
        free = [part for part in hidden if part not in values]
        if not free:
            return True
        return any(search({**values, free[0]: value}) for value in range(bound + 1))

    return search(known)


def _pinned_cells(counts: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    """The small counts that a reader with the published figures and sums can work back exactly."""
    codes = _grid_codes(counts)
    bureaus = sorted({bureau for bureau, _ in counts})
    everything = {
        **counts,
        **{(suppression.CITY, g): sum(counts[(b, g)] for b in bureaus) for g in GRID_GROUPS},
    }
    relations = _grid_relations(bureaus)
    totals = {  # the sums a reader always has: every bureau's total and the city's
        index: sum(everything[part] for part in parts)
        for index, (total, parts) in enumerate(relations)
        if total is None
    }
    known = {cell: value for cell, value in everything.items() if codes[cell] == SHOWN}
    hidden = [cell for cell in everything if codes[cell] != SHOWN]
    return [
        cell
        for cell in hidden
        if codes[cell] == SMALL
        and not _another_table_fits(known, hidden, relations, totals, cell, everything[cell])
    ]


def test_a_grid_whose_sums_do_not_cross_hides_no_recoverable_count():
    # One bureau with a small Asian count and a second with none small: the second's figures are
    # shown, and the bureau's total and the city's sums leave the hidden 4 free to move.
    counts = {(1, ASIAN): 4, (1, BLACK): 20, (1, WHITE): 30, (1, UNKNOWN): 1}
    counts |= {(2, ASIAN): 15, (2, BLACK): 25, (2, WHITE): 40, (2, UNKNOWN): 2}
    assert _grid_codes(counts)[(1, ASIAN)] == SMALL
    assert _pinned_cells(counts) == []


def test_crossing_sums_cannot_pin_a_hidden_count():
    # Bureaus 1 and 2: Asian 0, Black 10, White 0; bureau 3: 10 of each. Bureaus 1 and 2 hide Asian
    # and White (small) and Black (to protect them). Judged a sum at a time, that was enough; but the
    # city's Black (30) minus bureau 3's (10) leaves 20 for two hidden figures that their bureaus'
    # totals cap at 10 each: both are 10, and then each bureau's Asian and White are 0. The audit of
    # all sums at once finds this and hides more.
    rows = [(0, 10, 0, 0), (0, 10, 0, 0), (10, 10, 10, 0)]
    counts = {
        (bureau, group): value
        for bureau, row in enumerate(rows, start=1)
        for group, value in zip(GRID_GROUPS, row, strict=True)
    }
    assert _pinned_cells(counts) == []


def test_the_city_figures_stay_shown_and_the_bureaus_cells_protect_the_small_counts():
    # Five bureaus: 3, 4, 5, 6 and 40 Asian employees, 50 White and 20 Black each, none unknown.
    # By hand: bureaus 1–4 hide their small Asian count, and each bureau's total would give it back,
    # so each hides its largest other figure, White (50). The Asian column then has only small counts
    # hidden (3 + 4 + 5 + 6 = 18, pinned by the city's 58 minus the 40 shown), so bureau 5's 40 hides
    # too, rather than the city's 58; bureau 5's total would then give its 40 back, so its White
    # hides as well. Black (20 everywhere) and every city figure stay shown.
    counts = {(bureau, group): 0 for bureau in range(1, 6) for group in GRID_GROUPS}
    for bureau, asian in enumerate([3, 4, 5, 6, 40], start=1):
        counts[(bureau, ASIAN)], counts[(bureau, WHITE)], counts[(bureau, BLACK)] = asian, 50, 20
    codes = _grid_codes(counts)
    assert [codes[(bureau, ASIAN)] for bureau in range(1, 6)] == [SMALL] * 4 + [COMPLEMENT]
    assert [codes[(bureau, WHITE)] for bureau in range(1, 6)] == [COMPLEMENT] * 5
    assert [codes[(bureau, BLACK)] for bureau in range(1, 6)] == [SHOWN] * 5
    assert {codes[(suppression.CITY, group)] for group in GRID_GROUPS} == {SHOWN}
    assert _pinned_cells(counts) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 14), st.integers(0, 14), st.integers(0, 30), st.integers(0, 4)),
        min_size=2,
        max_size=3,
    )
)
def test_no_hidden_count_in_a_bureau_by_group_grid_can_be_recovered(rows):
    # A bureau of fewer than 10 people gives its groups away with its own total, which is published
    # (a total of 0 says every group is 0): no choice of hidden figures can protect those.
    assume(all(sum(row) >= suppression.THRESHOLD for row in rows))
    counts = {
        (bureau, group): value
        for bureau, row in enumerate(rows, start=1)
        for group, value in zip(GRID_GROUPS, row, strict=True)
    }
    assert _pinned_cells(counts) == [], counts


@pytest.mark.parametrize("seed", range(6))
def test_the_sparse_check_of_large_blocks_agrees_with_the_exact_one(seed):
    # Large blocks of sums are checked by least squares on random vectors; small ones by an SVD,
    # whose leverage (the squared norm of a figure's row in a basis of the row space) is 1 exactly
    # when the sums fix the figure. Random systems of ±1 sums, some figures in no sum at all.
    generator = np.random.default_rng(seed)
    columns = int(generator.integers(80, 300))
    rows = int(generator.integers(columns // 4, columns // 2))  # fewer sums than figures
    matrix = np.zeros((rows, columns))
    for row in range(rows):
        size = int(generator.integers(1, 6))
        matrix[row, generator.choice(columns, size, replace=False)] = generator.choice([1.0, -1.0], size)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > singular.max() * max(matrix.shape) * 1e-12).sum())
    exact = (vt[:rank] ** 2).sum(axis=0) < 1 - 1e-9
    sparse_answer = suppression._can_move_iteratively(matrix)
    assert sparse_answer is not None
    assert (sparse_answer == exact).all()
    assert exact.any()
    assert not exact.all()  # some figures fixed (e.g. a sum of one), some free: both answers tested
