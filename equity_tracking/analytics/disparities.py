"""Disaggregated measures: group shares, representation, roll-up groups, disparity and equity scores.

Owns everything computed from the per-group rows of a measure (rows whose ``group_id`` is a race
group rather than the total):
- :func:`group_values`: the group rows visible as of a date, plus computed rows for roll-up groups
  such as "People of color" (summed from their member groups);
- :func:`group_shares`: each group's share, its representation index against a benchmark population
  (1.0 is parity), and the gap to parity in people and in hires;
- :func:`disparities_by_period`: for each measure and period, the ratio between the most- and the
  least-advantaged group (larger ÷ smaller) and its equity score by the Equity Indicators table;
- :func:`disparity_summary`: each measure's latest score and its change since the baseline year.

What is compared: for rates and other per-person measures (percent, rate, days) the groups' own
values, judged by the measure's polarity. Counts and dollars are not comparable between groups of
different sizes, so for them the groups' representation indices are compared (more representation
is the advantage) when the measure has a benchmark population, and nothing is scored otherwise.
Groups that are roll-ups, or that record an unknown race/ethnicity, are never one side of a ratio.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from equity_tracking.analytics import _text
from equity_tracking.analytics.scores import ratios_to_scores, round_ratios
from equity_tracking.analytics.states import CANNOT_JUDGE, DISPARITY
from equity_tracking.analytics.values import TOTAL_GROUP_ID, values_as_of

ADDITIVE_UNITS = frozenset({"count", "dollars"})  # group values add up to the total
# Keys of groups that record that race/ethnicity is not known, for frames without an ``is_unknown``
# column (the database has the flag): they belong to no side of a comparison.
UNKNOWN_GROUP_KEYS = frozenset({"unknown_declined", "unknown", "declined", "not_reported"})
# Why a period has no score, as codes (the reason sentences name groups; code never parses them), in
# the order the conditions are tested; "scored" when it has one.
DISPARITY_REASON_CODES = (
    "no_benchmark",  # counts or dollars without a benchmark population
    "no_direction",  # a rate with no better direction
    "too_few_groups",
    "bad_denominator",
    "zero_value",  # a group's value (or representation) is zero or missing
)

PERIOD_COLUMNS = ["measure_id", "period_id", "period_label", "period_start", "period_end"]


# Codes for what a measure's groups are compared on.
BASIS_NONE, BASIS_VALUE, BASIS_REPRESENTATION = 0, 1, 2
BASIS_NAMES = np.array(["none", "value", "representation"], dtype=object)


# --- small vectorised tools -------------------------------------------------------------------


def period_lookup(frame: pd.DataFrame) -> pd.DataFrame:
    """Label, start and end of every period in ``frame``, indexed by period_id."""
    columns = [column for column in PERIOD_COLUMNS if column != "measure_id" and column in frame.columns]
    return frame[columns].drop_duplicates("period_id").set_index("period_id")


def unknown_groups(groups: pd.DataFrame) -> pd.Series:
    """True for the groups that record an unknown race/ethnicity (their ``is_unknown`` flag; frames
    made without it fall back on the usual keys)."""
    if "is_unknown" in groups.columns:
        return groups["is_unknown"].astype(bool)
    return groups["key"].isin(UNKNOWN_GROUP_KEYS)


def comparable_groups(groups: pd.DataFrame) -> pd.Series:
    """True for the groups a disparity ratio may compare: not roll-ups, not "unknown"."""
    return ~groups["is_rollup"].astype(bool) & ~unknown_groups(groups)


def _ids(groups: pd.DataFrame, mask: pd.Series) -> np.ndarray:
    return groups.loc[mask, "id"].to_numpy(np.int64)


def _period_key(measure: np.ndarray, period: np.ndarray) -> np.ndarray:
    """One int64 per (measure, period), ordered like the pair."""
    period = period.astype(np.int64)
    return measure.astype(np.int64) * (int(period.max(initial=0)) + 1) + period


def _starts(key: np.ndarray) -> np.ndarray:
    """Where each run of equal keys begins (equal keys must be adjacent)."""
    if len(key) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, key[1:] != key[:-1]])


def _lengths(starts: np.ndarray, total: int) -> np.ndarray:
    return np.diff(np.r_[starts, total]).astype(np.int64)


def _per_row(
    measures: pd.DataFrame, measure_ids: np.ndarray, per_measure: np.ndarray, missing: str | float | bool
) -> np.ndarray:
    """``per_measure`` (aligned with ``measures``) for each row's measure; ``missing`` if unknown.

    Through a dense table indexed by measure id: a million look-ups cost a few milliseconds.
    """
    ids = measures["measure_id"].to_numpy(np.int64)
    size = int(max(ids.max(initial=0), measure_ids.max(initial=0))) + 1
    if size > 50_000_000 or ids.min(initial=0) < 0 or measure_ids.min(initial=0) < 0:
        position = pd.Index(ids).get_indexer(measure_ids)
    else:
        table = np.full(size, -1, dtype=np.int64)
        table[ids] = np.arange(len(ids))
        position = table[measure_ids]
    if len(per_measure) == 0:
        return np.full(len(measure_ids), missing)
    return np.where(position >= 0, per_measure[np.maximum(position, 0)], missing)


def _member(values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``np.isin(values, ids)`` for small non-negative ids, through a boolean table."""
    values = values.astype(np.int64)
    if len(values) == 0 or values.min() < 0 or values.max() > 50_000_000:
        return np.isin(values, ids)
    table = np.zeros(int(max(values.max(), ids.max(initial=0))) + 1, dtype=bool)
    table[ids] = True
    return table[values]


def _is_additive(measures: pd.DataFrame) -> np.ndarray:
    return measures["unit"].isin(list(ADDITIVE_UNITS)).to_numpy(bool)


def _benchmark_ids(measures: pd.DataFrame) -> np.ndarray:
    return measures["benchmark_id"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _first_match(mask: np.ndarray, run: np.ndarray, values: np.ndarray, runs: int) -> np.ndarray:
    """Per run, ``values`` at the first row where ``mask`` holds (−1 where it never does)."""
    rows = np.flatnonzero(mask)
    run_of_row = run[rows]
    first = np.r_[True, run_of_row[1:] != run_of_row[:-1]] if len(rows) else np.zeros(0, dtype=bool)
    result = np.full(runs, -1, dtype=np.int64)
    result[run_of_row[first]] = values[rows[first]]
    return result


# --- group rows and roll-up groups ------------------------------------------------------------


def group_values(
    values: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    groups: pd.DataFrame,
    memberships: pd.DataFrame,
    measures: pd.DataFrame,
) -> pd.DataFrame:
    """Per (measure, period, group) rows as of a date, with computed rows for roll-up groups.

    Columns: measure_id, period_id, period_label, period_start, period_end, group_id, value,
    numerator, denominator, is_rollup, members_reported (members summed into a computed roll-up
    row; 0 on reported rows). Reported rows come first, in (measure, period, group) order.
    """
    rows = values_as_of(values[values["group_id"].to_numpy() != TOTAL_GROUP_ID], as_of=as_of)
    if "period_label" not in rows.columns:  # hand-made frames: name the period by its end date
        rows = rows.assign(period_label=rows["period_end"].dt.strftime("%Y-%m-%d"))
    rollup = _member(rows["group_id"].to_numpy(np.int64), _ids(groups, groups["is_rollup"].astype(bool)))
    reported = rows.assign(is_rollup=rollup, members_reported=0)
    computed = _rollup_rows(rows[~rollup], memberships=memberships, measures=measures)
    if rollup.any():  # a roll-up reported directly is kept as reported, not recomputed
        have = _period_key(rows["measure_id"].to_numpy()[rollup], rows["period_id"].to_numpy()[rollup])
        have = have * 1_000_003 + rows["group_id"].to_numpy(np.int64)[rollup]
        mine = _period_key(computed["measure_id"].to_numpy(), computed["period_id"].to_numpy())
        computed = computed[~np.isin(mine * 1_000_003 + computed["group_id"].to_numpy(np.int64), have)]
    columns = [
        *PERIOD_COLUMNS,
        "group_id",
        "value",
        "numerator",
        "denominator",
        "is_rollup",
        "members_reported",
    ]
    return pd.concat([reported[columns], computed[columns]], ignore_index=True)


def _rate_scale(rows: pd.DataFrame, units: np.ndarray) -> np.ndarray:
    """Per row, the measure's value ÷ (numerator ÷ denominator): 100 for percentages, 1000 "per
    thousand"…, learnt from the measure's own rows; where no row shows it (every numerator zero),
    100 for a percentage and 1 otherwise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = (
            rows["value"].to_numpy(float)
            * rows["denominator"].to_numpy(float)
            / rows["numerator"].to_numpy(float)
        )
    usable = np.isfinite(scale) & (rows["numerator"].to_numpy(float) > 0)
    measure = rows["measure_id"].to_numpy(np.int64)
    learnt = pd.Series(scale[usable]).groupby(measure[usable]).first().reindex(measure).to_numpy(float)
    return np.where(np.isfinite(learnt), learnt, np.where(units == "percent", 100.0, 1.0))


def _rollup_rows(rows: pd.DataFrame, *, memberships: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Roll-up groups summed from their members: counts add; rates are Σ numerators ÷ Σ denominators.

    A member that reported nothing in a period adds nothing (the demo, like most sources, leaves out
    a group with nobody in it); ``members_reported`` says how many members did. A numerator or
    denominator is only summed when every member reported one.
    """
    measure = rows["measure_id"].to_numpy(np.int64)
    key = _period_key(measure, rows["period_id"].to_numpy(np.int64))
    order = np.argsort(key, kind="stable") if np.any(key[1:] < key[:-1]) else None
    units = _per_row(measures, measure, measures["unit"].to_numpy(object), "")
    additive = _per_row(measures, measure, _is_additive(measures), False)
    columns = {
        "measure_id": measure,
        "period_id": rows["period_id"].to_numpy(np.int64),
        "group_id": rows["group_id"].to_numpy(np.int64),
        "value": rows["value"].to_numpy(float),
        "numerator": rows["numerator"].to_numpy(float),
        "denominator": rows["denominator"].to_numpy(float),
        "additive": additive,
        "scale": _rate_scale(rows, units),
        "key": key,
    }
    if order is not None:  # rows from values_as_of are already in order
        columns = {name: column[order] for name, column in columns.items()}
    parts = [
        _sum_members(columns, rollup_id, members.to_numpy(np.int64))
        # A loop over the roll-up groups (usually one: "People of color"), not over rows.
        for rollup_id, members in memberships.groupby("rollup_id")["member_id"]
    ]
    empty = pd.DataFrame({name: pd.Series(dtype=float) for name in ("value", "numerator", "denominator")})
    summed = pd.concat([empty.assign(measure_id=0, period_id=0, group_id=0, members_reported=0), *parts])
    summed = summed.astype({"measure_id": "int64", "period_id": "int64", "group_id": "int64"})
    summed = summed.join(period_lookup(rows), on="period_id").reset_index(drop=True)
    return summed.assign(is_rollup=True)


def _sum_members(columns: dict[str, np.ndarray], rollup_id: int, members: np.ndarray) -> pd.DataFrame:
    mask = _member(columns["group_id"], members)
    part = {name: column[mask] for name, column in columns.items()}
    starts = _starts(part["key"])
    if len(starts) == 0:
        return pd.DataFrame()
    reported = _lengths(starts, len(part["key"]))

    def total(name: str) -> np.ndarray:
        column = part[name]
        sums = np.add.reduceat(np.nan_to_num(column), starts)
        complete = np.add.reduceat(np.isfinite(column).astype(np.int64), starts) == reported
        return np.where(complete, sums, np.nan)

    numerator, denominator = total("numerator"), total("denominator")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = part["scale"][starts] * numerator / np.where(denominator > 0, denominator, np.nan)
    return pd.DataFrame(
        {
            "measure_id": part["measure_id"][starts],
            "period_id": part["period_id"][starts],
            "group_id": rollup_id,
            "value": np.where(part["additive"][starts], np.add.reduceat(part["value"], starts), rate),
            "numerator": numerator,
            "denominator": denominator,
            "members_reported": reported,
        }
    )


# --- shares and representation ----------------------------------------------------------------


def _share_lookup(benchmark_shares: pd.DataFrame, memberships: pd.DataFrame) -> pd.DataFrame:
    """Benchmark shares, with each roll-up group's share summed from its members when not given."""
    direct = benchmark_shares[["benchmark_id", "group_id", "share"]]
    links = memberships.rename(columns={"member_id": "group_id"})[["rollup_id", "group_id"]]
    summed = (
        direct.merge(links, on="group_id")
        .groupby(["benchmark_id", "rollup_id"], as_index=False)["share"]
        .sum()
    )
    summed = summed.rename(columns={"rollup_id": "group_id"})
    both = pd.concat([direct, summed], ignore_index=True)
    return both.drop_duplicates(["benchmark_id", "group_id"], keep="first")


def _benchmark_share(table: pd.DataFrame, benchmark: np.ndarray, group: np.ndarray) -> np.ndarray:
    """The share of each (benchmark, group) pair through a small dense array (NaN if none)."""
    valid = np.isfinite(benchmark)
    benchmark_index = np.where(valid, benchmark, 0).astype(np.int64)
    table_benchmark = table["benchmark_id"].to_numpy(np.int64)
    table_group = table["group_id"].to_numpy(np.int64)
    shape = (
        int(max(table_benchmark.max(initial=0), benchmark_index.max(initial=0))) + 1,
        int(max(table_group.max(initial=0), group.max(initial=0))) + 1,
    )
    dense = np.full(shape, np.nan)
    dense[table_benchmark, table_group] = table["share"].to_numpy(float)
    return np.where(valid, dense[benchmark_index, group], np.nan)


def group_shares(
    group_rows: pd.DataFrame,
    *,
    measures: pd.DataFrame,
    groups: pd.DataFrame,
    memberships: pd.DataFrame,
    benchmark_shares: pd.DataFrame,
) -> pd.DataFrame:
    """Each group's share and, against the measure's benchmark population, its representation.

    Adds to :func:`group_values`' columns: ``count`` (the value for counts and dollars, the numerator
    for rates), ``known_total`` (the sum over groups of known race/ethnicity, roll-ups excluded),
    ``share`` (count ÷ known_total), ``denominator_share`` (rates: the group's share of the
    denominator), ``benchmark_share``, ``representation_index`` (share ÷ benchmark share; 1.0 is
    parity), ``parity_gap`` (benchmark share × known_total − count: positive is a shortfall, in
    people or dollars), ``hires_to_parity`` (new hires from the group alone that would reach parity;
    0 at or above parity), and ``representation_state`` / ``_reason`` / ``_label`` / ``_icon``.
    """
    frame = group_rows.reset_index(drop=True)
    measure = frame["measure_id"].to_numpy(np.int64)
    group = frame["group_id"].to_numpy(np.int64)
    additive = _per_row(measures, measure, _is_additive(measures), False)
    counted = _member(group, _ids(groups, comparable_groups(groups)))
    count = np.where(additive, frame["value"].to_numpy(float), frame["numerator"].to_numpy(float))
    denominator = frame["denominator"].to_numpy(float)
    # Totals per (measure, period) with bincount: no sort, and the rows may come in any order.
    codes = pd.factorize(_period_key(measure, frame["period_id"].to_numpy(np.int64)))[0]
    known_total = np.bincount(codes, weights=np.where(counted & np.isfinite(count), count, 0.0))[codes]
    denominators = np.bincount(codes, weights=np.where(counted & np.isfinite(denominator), denominator, 0.0))[
        codes
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["count"] = count
        frame["known_total"] = known_total
        frame["share"] = np.where(known_total > 0, count / known_total, np.nan)
        frame["denominator_share"] = np.where(denominators > 0, denominator / denominators, np.nan)
    benchmark = _per_row(measures, measure, _benchmark_ids(measures), np.nan)
    shares = _benchmark_share(_share_lookup(benchmark_shares, memberships), benchmark, group)
    frame["benchmark_share"] = np.where(additive, shares, np.nan)
    return _add_representation(frame, additive=additive, has_benchmark=np.isfinite(benchmark), groups=groups)


def _add_representation(
    frame: pd.DataFrame, *, additive: np.ndarray, has_benchmark: np.ndarray, groups: pd.DataFrame
) -> pd.DataFrame:
    benchmark_share = frame["benchmark_share"].to_numpy(float)
    share, total, count = (frame[name].to_numpy(float) for name in ("share", "known_total", "count"))
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(benchmark_share > 0, share / benchmark_share, np.nan)
        gap = benchmark_share * total - count
        # Adding k people of this group alone: (count + k) ÷ (total + k) = benchmark share.
        hires = np.ceil(np.round(gap / (1 - benchmark_share), 9))
    frame["representation_index"] = index
    frame["parity_gap"] = gap
    known = np.isfinite(hires)
    frame["hires_to_parity"] = pd.arrays.IntegerArray(
        np.where(known, np.maximum(hires, 0), 0).astype(np.int64), ~known
    )
    unknown = _member(frame["group_id"].to_numpy(np.int64), _ids(groups, unknown_groups(groups)))
    conditions = [
        ~has_benchmark,
        ~additive,
        unknown,
        ~(total > 0),
        ~(benchmark_share > 0),
        ~np.isfinite(index),
    ]
    frame["representation_state"] = _text.choose(conditions, [CANNOT_JUDGE] * len(conditions), "judged")
    frame["representation_reason"] = _text.choose(
        conditions,
        [
            "No benchmark population is set for this measure.",
            "Representation compares head counts or dollars; this measure is a rate.",
            "An unknown race/ethnicity has no share of the benchmark population.",
            "No one of known race/ethnicity was counted in this period.",
            "The benchmark population gives no share for this group.",
            "This group's count is missing.",
        ],
        "The group's share compared with its share of the benchmark population (1.0 is parity).",
    )
    return _text.add_style_columns(frame, "representation_state", DISPARITY)


# --- disparity ratios and equity scores -------------------------------------------------------


def _basis(measures: pd.DataFrame, measure: np.ndarray) -> np.ndarray:
    """What each row's measure compares its groups on (a BASIS_* code)."""
    additive = _per_row(measures, measure, _is_additive(measures), False)
    has_benchmark = np.isfinite(_per_row(measures, measure, _benchmark_ids(measures), np.nan))
    return np.where(~additive, BASIS_VALUE, np.where(has_benchmark, BASIS_REPRESENTATION, BASIS_NONE))


def disparities_by_period(
    shares: pd.DataFrame, *, measures: pd.DataFrame, groups: pd.DataFrame
) -> pd.DataFrame:
    """The disparity ratio and equity score of every measure in every period it has group rows.

    Columns: measure_id, period_id, period_label, period_start, period_end, basis ("value",
    "representation" or "none"), n_groups, advantaged_group_id/_group/_value,
    disadvantaged_group_id/_group/_value, disparity_ratio (rounded to 3 decimals, half up), equity_score
    (Int64), group_set (a bitmask of the groups compared: equal sets have equal numbers),
    groups_missing (names of groups the measure reports in other periods but not this one; ""),
    groups_unusable (names of groups whose value is zero, negative or missing; ""), and
    disparity_state / _reason_code (:data:`DISPARITY_REASON_CODES` or "scored") / _reason / _label /
    _icon.

    Vectorised over runs of rows with the same (measure, period): one sort at most, then numpy
    reductions per run.
    """
    comparable = _member(shares["group_id"].to_numpy(np.int64), _ids(groups, comparable_groups(groups)))
    rows = {
        name: shares[name].to_numpy()[comparable]
        for name in ("measure_id", "period_id", "group_id", "value", "denominator", "representation_index")
    }
    key = _period_key(rows["measure_id"], rows["period_id"])
    if np.any(key[1:] < key[:-1]):
        order = np.argsort(key, kind="stable")
        rows, key = {name: column[order] for name, column in rows.items()}, key[order]
    starts = _starts(key)
    compared = _comparison(rows, measures)
    runs = _extremes(rows, compared, starts)
    runs = runs.join(_group_sets(rows, compared["unusable"], starts, groups))
    runs = runs.join(period_lookup(shares), on="period_id")
    return _judge_disparity(runs, measures, groups)


def _comparison(rows: dict[str, np.ndarray], measures: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per row: the basis code, the number compared, and whether it cannot be used (why)."""
    basis = _basis(measures, rows["measure_id"])
    compared = np.where(
        basis == BASIS_VALUE, rows["value"].astype(float), rows["representation_index"].astype(float)
    )
    bad_denominator = (basis == BASIS_VALUE) & (rows["denominator"].astype(float) <= 0)
    # A zero, negative or missing value has no ratio to anything.
    return {
        "basis": basis,
        "compared": compared,
        "bad_denominator": bad_denominator,
        "unusable": ~(compared > 0) | bad_denominator,
    }


def _extremes(
    rows: dict[str, np.ndarray], comparison: dict[str, np.ndarray], starts: np.ndarray
) -> pd.DataFrame:
    """Per run: group count, problems, and the groups at the top and bottom of the range."""
    compared = comparison["compared"]
    lengths = _lengths(starts, len(compared))
    run = np.repeat(np.arange(len(starts)), lengths)
    empty = len(starts) == 0
    high = np.zeros(0) if empty else np.fmax.reduceat(compared, starts)  # fmax/fmin skip NaN
    low = np.zeros(0) if empty else np.fmin.reduceat(compared, starts)

    def any_in_run(flags: np.ndarray) -> np.ndarray:
        return np.zeros(0, dtype=bool) if empty else np.add.reduceat(flags.astype(np.int64), starts) > 0

    group = rows["group_id"].astype(np.int64)
    return pd.DataFrame(
        {
            "measure_id": rows["measure_id"][starts].astype(np.int64),
            "period_id": rows["period_id"][starts].astype(np.int64),
            "basis_code": comparison["basis"][starts],
            "n_groups": lengths,
            "bad_denominator": any_in_run(comparison["bad_denominator"]),
            "unusable": any_in_run(comparison["unusable"]),
            "high": high,
            "low": low,
            "high_group_id": _first_match(compared == high[run], run, group, len(starts)),
            "low_group_id": _first_match(compared == low[run], run, group, len(starts)),
        }
    )


def _group_sets(
    rows: dict[str, np.ndarray], unusable: np.ndarray, starts: np.ndarray, groups: pd.DataFrame
) -> pd.DataFrame:
    """Per run: a bitmask of its groups; the names of the measure's groups missing from it; and the
    names of its groups whose value cannot be used."""
    ids = np.sort(groups["id"].to_numpy(np.int64))
    rank = np.searchsorted(ids, rows["group_id"].astype(np.int64))
    # One bit per group (up to 62 groups; a city with more would compare group sets by count only).
    bits = np.where(rank < 62, np.left_shift(np.int64(1), np.minimum(rank, 61)), 0).astype(np.int64)
    if len(starts) == 0:
        return pd.DataFrame({"group_set": bits[:0], "groups_missing": [], "groups_unusable": []})
    present = np.add.reduceat(bits, starts)
    measure_starts = _starts(rows["measure_id"][starts])
    ever = np.repeat(np.bitwise_or.reduceat(present, measure_starts), _lengths(measure_starts, len(present)))
    names = groups.set_index("id")["name"].reindex(ids).fillna("").to_numpy(object)
    return pd.DataFrame(
        {
            "group_set": present,
            "groups_missing": _names_of_bits(ever & ~present, names),
            "groups_unusable": _names_of_bits(np.add.reduceat(np.where(unusable, bits, 0), starts), names),
        }
    )


def _names_of_bits(masks: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Group names ("A, B") for each bitmask; each distinct mask is spelt out once."""
    distinct, row_codes = np.unique(masks, return_inverse=True)
    texts = np.array(
        [
            ", ".join(str(name) for position, name in enumerate(names[:62]) if (int(mask) >> position) & 1)
            for mask in distinct
        ],
        dtype=object,
    )
    return texts[row_codes.ravel()] if len(masks) else np.zeros(0, dtype=object)


def _judge_disparity(frame: pd.DataFrame, measures: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Per run: which conditions stop a judgement; otherwise the two groups, ratio and score."""
    measure = frame["measure_id"].to_numpy(np.int64)
    basis = frame.pop("basis_code").to_numpy()
    polarity = _per_row(measures, measure, measures["polarity"].to_numpy(object), "")
    # Polarity says which end is the advantage; for representation, more is the advantage.
    lower = (basis == BASIS_VALUE) & (polarity == "lower_is_better")
    conditions = [
        basis == BASIS_NONE,
        (basis == BASIS_VALUE) & (polarity == "neutral"),
        frame["n_groups"].to_numpy() < 2,
        frame["bad_denominator"].to_numpy(bool),
        frame["unusable"].to_numpy(bool),
    ]
    judged = ~np.logical_or.reduce(conditions)
    frame["basis"] = BASIS_NAMES[basis]
    names = groups.set_index("id")["name"]
    for side, pick_low in (("advantaged", lower), ("disadvantaged", ~lower)):
        group_id = np.where(pick_low, frame["low_group_id"], frame["high_group_id"])
        frame[f"{side}_group_id"] = pd.arrays.IntegerArray(np.where(judged, group_id, 0), ~judged)
        frame[f"{side}_group"] = np.where(judged, names.reindex(group_id).fillna("").to_numpy(object), "")
        frame[f"{side}_value"] = np.where(judged, np.where(pick_low, frame["low"], frame["high"]), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = round_ratios(frame["high"].to_numpy() / frame["low"].to_numpy())
    frame["disparity_ratio"] = np.where(judged, ratio, np.nan)
    frame["equity_score"] = ratios_to_scores(frame["disparity_ratio"])
    frame["disparity_state"] = _text.choose([judged], ["judged"], CANNOT_JUDGE)
    frame["disparity_reason_code"] = _text.choose(conditions, list(DISPARITY_REASON_CODES), "scored")
    frame["disparity_reason"] = _disparity_reasons(frame, conditions, basis == BASIS_REPRESENTATION)
    frame = _text.add_style_columns(frame, "disparity_state", DISPARITY)
    columns = [
        *PERIOD_COLUMNS, "basis", "n_groups",
        "advantaged_group_id", "advantaged_group", "advantaged_value",
        "disadvantaged_group_id", "disadvantaged_group", "disadvantaged_value",
        "disparity_ratio", "equity_score", "group_set", "groups_missing", "groups_unusable",
        "disparity_state", "disparity_reason_code", "disparity_reason", "disparity_state_label",
        "disparity_state_icon",
    ]  # fmt: skip
    return frame[columns]


def _disparity_reasons(
    frame: pd.DataFrame, conditions: list[np.ndarray], representation: np.ndarray
) -> np.ndarray:
    """The sentence beside each run's score, or why there is none (naming the groups concerned)."""
    not_reported = np.where(frame["groups_missing"] != "", " Not reported this period: ", "")
    scored = _text.concat_unique(
        np.where(representation, "The most represented group (", "The best-off group ("),
        frame["advantaged_group"],
        np.where(
            representation, ") compared with the least represented (", ") compared with the worst-off ("
        ),
        frame["disadvantaged_group"],
        ").",
        not_reported,
        frame["groups_missing"],
        np.where(not_reported != "", ".", ""),
    )
    unusable = _text.concat_unique(
        np.where(representation, "Nobody counted in: ", "A value of zero (or none) for: "),
        frame["groups_unusable"],
        "; no ratio can be formed with a zero.",
    )
    return _text.choose(
        conditions,
        [
            "Counts and dollars can only be compared between groups of different sizes through a "
            "benchmark population, and this measure has none.",
            "The measure has no better direction, so no group can be called advantaged.",
            "Fewer than two groups were reported, so there is nothing to compare.",
            "A group has a zero or negative denominator, so its rate cannot be trusted.",
            unusable,
        ],
        scored,
    )


def disparity_summary(by_period: pd.DataFrame, *, measures: pd.DataFrame) -> pd.DataFrame:
    """Each measure's latest disparity and its change score against the baseline year.

    One row per measure with group rows: the columns of :func:`disparities_by_period` for its latest
    period, plus ``baseline_period_id``, ``baseline_equity_score``, ``change_score`` (latest score −
    baseline score; Int64) and ``change_state`` / ``change_reason_code`` / ``change_reason`` /
    ``_label`` / ``_icon``.
    """
    ordered = by_period.sort_values(
        ["measure_id", "period_end", "period_start"], ascending=[True, True, False]
    )
    latest = ordered.drop_duplicates("measure_id", keep="last").set_index("measure_id")
    baseline_period = measures.set_index("measure_id").get("baseline_period_id", pd.Series(dtype="Int64"))
    latest["baseline_period_id"] = baseline_period.reindex(latest.index).astype("Int64")
    at_baseline = by_period.merge(
        baseline_period.dropna().astype("int64").rename("period_id").reset_index(),
        on=["measure_id", "period_id"],
    ).set_index("measure_id")
    latest["baseline_equity_score"] = at_baseline["equity_score"].reindex(latest.index).astype("Int64")
    baseline_set = at_baseline["group_set"].reindex(latest.index)
    conditions = [
        (latest["period_id"] == latest["baseline_period_id"]).fillna(False).to_numpy(bool),
        latest["baseline_equity_score"].isna().to_numpy(),
        latest["equity_score"].isna().to_numpy(),
        (baseline_set != latest["group_set"]).to_numpy(bool),
    ]
    changed = ~np.logical_or.reduce(conditions)
    change = (latest["equity_score"] - latest["baseline_equity_score"]).astype("Int64")
    latest["change_score"] = change.where(changed, pd.NA)
    latest["change_state"] = _text.choose([changed], ["judged"], CANNOT_JUDGE)
    latest["change_reason_code"] = _text.choose(
        conditions, ["baseline_only", "no_baseline_score", "no_latest_score", "groups_differ"], "scored"
    )
    latest["change_reason"] = _text.choose(
        conditions,
        [
            "Only the baseline year has been reported so far.",
            "There is no equity score for the baseline year.",
            "There is no equity score for the latest period.",
            "The groups reported differ from the baseline year, so the scores do not compare.",
        ],
        "Latest equity score minus the baseline year's.",
    )
    return _text.add_style_columns(latest.reset_index(), "change_state", DISPARITY)
