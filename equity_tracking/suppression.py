"""Small-count suppression: what the public may see of any figure broken down by race/ethnicity.

Owns the privacy rule of every public surface, applied to the analytics' frames before any sentence,
chart, table, tooltip or download is built from them:

- **primary**: a count of fewer than :data:`THRESHOLD` people in a race/ethnicity group is hidden
  (for a rate, the people it counts: its numerator). Dollars count nobody. A group that records an
  unknown race/ethnicity is never hidden: how many people declined to say reveals nobody's race, and
  it is what turns counts into shares;
- **complementary**: where published figures add up (the groups to the total, the members of
  "People of color" to it, a bureau's group to the city's, a year's figure to its fourth quarter's
  or its quarters' sum), no relation may be left with exactly one hidden figure, which subtraction
  would give back. The relations are judged together across every public surface (pages, downloads,
  reports, the API: :func:`linked_codes`), so that no combination of them gives a hidden count back.
  More figures are hidden, the largest first,
  until every hidden small count could still be anything from 0 to 9 (see :func:`hide_cells`); all
  hidden figures carry the same label, so a reader cannot tell the small one from its protector;
- **derived**: a share, representation index, gap, disparity ratio, equity score, change score or
  sentence that involves a hidden figure is hidden with it (:func:`public_shares`,
  :func:`public_disparities`).

Pure pandas/numpy: the pages reach it through :class:`PublicView`, which wraps one analytics result
and suppresses a measure's group rows the first time a page asks for them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from threading import Lock
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

THRESHOLD = 10  # a count of fewer people than this is never shown by race/ethnicity
HIDDEN_LABEL = "hidden"  # the same words for every hidden figure, small or protecting one
SHOWN, SMALL, COMPLEMENT = 0, 1, 2  # why a figure is hidden (internal: the public sees one label)
NOTE = (
    f"To protect privacy, a count of fewer than {THRESHOLD} people in a race/ethnicity group is "
    "hidden, and so are other figures in the same table (the largest first), shares, ratios and "
    "scores that would let a reader work it out by subtraction. Every hidden figure reads "
    f'"{HIDDEN_LABEL}".'
)
SCORE_HIDDEN_TEXT = (
    "Not shown: this comparison involves a group with fewer than "
    f"{THRESHOLD} people (or a figure hidden to protect one), which the score would reveal."
)
PEOPLE_UNITS = {"count": "value", "percent": "numerator", "rate": "numerator"}  # where the people are


# --- the rule on one set of figures that add up ----------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """Published figures that add up: ``total`` is the sum of ``parts``. ``total`` None stands for a
    sum that is always published (a measure's own total, shown on every scorecard)."""

    total: Hashable | None
    parts: tuple[Hashable, ...]


def hide_cells(
    people: Mapping[Any, float],
    relations: Sequence[Relation],
    *,
    may_hide: Iterable[Hashable],
    last_resort: Iterable[Hashable] = (),
    threshold: int = THRESHOLD,
    already: Mapping[Hashable, int] | None = None,
) -> dict[Hashable, int]:
    """Which figures to hide, and why (:data:`SMALL` or :data:`COMPLEMENT`); the rest are shown.

    ``people`` holds each figure's count of people (NaN where it counts nobody); only figures in
    ``may_hide`` are ever hidden. Small counts are hidden first; then, while some relation whose sum
    is published holds hidden figures that subtraction could give back, or could narrow down, the
    largest figure of that relation still shown is hidden too (its sum, when that may be hidden).
    Figures in ``last_resort`` are hidden to protect another only when nothing else in the relation
    can be.

    "Narrow down" is judged as a reader who knows this rule would: each small count lies in 0 to
    ``threshold − 1``, and each protecting figure is at least as large as every figure still shown
    beside it (taken as one more, since ties are broken by position). Subtracting what is shown from
    the sum leaves the hidden figures' total S. Small counts hidden on their own bound one another
    from below (two hidden 9s add up to 18), so at least one protecting figure joins them; with k of
    them a small count can be anything from 0 up to ``S − k × (largest shown + 1)``, which the rule
    keeps at ``threshold − 1`` or more.

    Each relation is judged on its own here. Where relations cross (a grid of bureaus by group with
    the city's sums), bounds from one can pin a figure in another: :func:`grid_codes` then audits
    every relation at once (:func:`pinned_cells`).
    """
    hideable = set(may_hide)
    keep = set(last_resort)
    codes: dict[Hashable, int] = {
        cell: SMALL for cell in hideable if np.isfinite(people.get(cell, np.nan)) and people[cell] < threshold
    }
    codes.update(already or {})  # figures an earlier pass hid stay hidden
    for _ in range(len(people) + 1):
        changed = False
        for relation in relations:
            if relation.total is not None and codes.get(relation.total, SHOWN):
                continue  # the sum is hidden: nothing to subtract from
            if _exposed(relation, codes, people, threshold):
                pick = _next_to_hide(relation, codes, people, hideable, keep)
                if pick is not None:
                    codes[pick] = COMPLEMENT
                    changed = True
        if not changed:
            break
    return codes


def _exposed(relation: Relation, codes: Mapping[Hashable, int], people: Mapping, threshold: int) -> bool:
    """Whether a relation lets a reader give back, or narrow down, one of its small counts."""
    hidden = [part for part in relation.parts if codes.get(part, SHOWN)]
    if len(hidden) == 1:
        return True  # the sum minus what is shown gives it back, small or protecting one elsewhere
    if not any(codes[part] == SMALL for part in hidden):
        return False
    protecting = sum(1 for part in hidden if codes[part] == COMPLEMENT)
    if protecting == 0:
        return True  # small counts alone: their total bounds each from below (9 + 9 = 18 pins both)
    shown = [_count(people, part) for part in relation.parts if not codes.get(part, SHOWN)]
    hidden_total = sum(_count(people, part) for part in hidden)
    # A protecting figure is at least the largest shown, and a tie goes by position, which a reader
    # also knows: count each as one more than the largest shown, never less than it could be.
    return hidden_total - protecting * (max(shown, default=0.0) + 1) < threshold - 1


def _next_to_hide(
    relation: Relation, codes: Mapping[Hashable, int], people: Mapping, hideable: set, keep: set
) -> Hashable | None:
    """The largest figure of the relation still shown that may be hidden: its sum (which takes the
    relation out of play altogether) when that may be hidden, else its largest part; a figure to
    ``keep`` only when there is no other."""
    cells = [*relation.parts, *([relation.total] if relation.total is not None else [])]
    return _largest([cell for cell in cells if not codes.get(cell, SHOWN) and cell in hideable], people, keep)


def _largest(cells: Sequence[Hashable], people: Mapping, keep: set) -> Hashable | None:
    """The largest of ``cells`` (ties by position), passing over those to ``keep`` unless they are
    all there is; None for no cells."""
    preferred = [cell for cell in cells if cell not in keep] or list(cells)
    if not preferred:
        return None
    return max(preferred, key=lambda cell: (_count(people, cell), str(cell)))


def _count(people: Mapping, cell: Hashable) -> float:
    value = people.get(cell, np.nan)
    return float(value) if np.isfinite(value) else 0.0


# --- one table of groups: a measure's values in one period ----------------------------------------


@dataclass(frozen=True)
class GroupSetup:
    """What the rule needs to know about the race/ethnicity groups: which record an unknown
    race/ethnicity, and the members of each roll-up (e.g. "People of color")."""

    unknown: frozenset[int]
    rollups: Mapping[int, frozenset[int]]

    @classmethod
    def from_frames(cls, groups: pd.DataFrame, memberships: pd.DataFrame) -> GroupSetup:
        unknown = groups["is_unknown"].astype(bool) if "is_unknown" in groups else groups["key"].eq("")
        members = memberships.groupby("rollup_id")["member_id"].agg(lambda ids: frozenset(map(int, ids)))
        return cls(
            unknown=frozenset(int(group) for group in groups.loc[unknown.to_numpy(), "id"]),
            rollups={int(rollup): ids for rollup, ids in members.items()},
        )


def table_relations(group_ids: Sequence[int], setup: GroupSetup) -> list[Relation]:
    """How one count table adds up: every group that is not a roll-up to the (published) total; each
    roll-up to its members; and the total to each roll-up plus the groups outside it."""
    present = set(group_ids)
    base = tuple(group for group in group_ids if group not in setup.rollups)
    relations = [Relation(None, base)]
    for rollup, members in setup.rollups.items():
        if rollup in present:
            inside = tuple(group for group in base if group in members)
            outside = tuple(group for group in base if group not in members)
            relations += [Relation(rollup, inside), Relation(None, (rollup, *outside))]
    return relations


def table_codes(
    group_ids: Sequence[int], people: Sequence[float], setup: GroupSetup, *, adds_up: bool
) -> np.ndarray:
    """Suppression codes for one table of group figures (roll-ups included). ``adds_up`` says whether
    the figures add up to the total (counts of people do; rates do not, so only small counts hide)."""
    counts = {int(group): float(count) for group, count in zip(group_ids, people, strict=True)}
    relations = table_relations([int(group) for group in group_ids], setup) if adds_up else []
    hideable = [int(group) for group in group_ids if int(group) not in setup.unknown]
    codes = hide_cells(counts, relations, may_hide=hideable)
    return np.array([codes.get(int(group), SHOWN) for group in group_ids], dtype=np.int8)


def people_counted(rows: pd.DataFrame, units: pd.Series) -> np.ndarray:
    """How many people each group row counts: the value of a count, the numerator of a rate or
    percentage, and nothing (NaN) for dollars, days or a rate without its numerator."""
    unit = units.to_numpy(object)
    value = pd.to_numeric(rows["value"], errors="coerce").to_numpy(float)
    numerator = pd.to_numeric(rows.get("numerator", np.nan), errors="coerce")
    numerator = np.broadcast_to(np.asarray(numerator, dtype=float), value.shape)
    return np.where(unit == "count", value, np.where(np.isin(unit, ["percent", "rate"]), numerator, np.nan))


# --- a grid: many tables that also add up across (bureaus to the city) ------------------------------

CITY = 0  # the "bureau" id of the city's own row in a grid


def grid_codes(cells: pd.DataFrame, setup: GroupSetup) -> pd.Series:
    """Suppression codes for a grid of counts: one row per (``bureau_id``, ``group_id``) with
    ``people``, the city's row (``bureau_id`` :data:`CITY`) included. Each bureau's groups add up to
    its total (published on its own pages) and the bureaus' figures of each group add up to the
    city's, so both directions are protected at once."""
    people = {
        (int(b), int(g)): float(n)
        for b, g, n in zip(cells["bureau_id"], cells["group_id"], cells["people"], strict=True)
    }
    relations: list[Relation] = []
    for bureau, rows in cells.groupby("bureau_id", sort=False):
        group_ids = [int(group) for group in rows["group_id"]]
        relations += [
            Relation(
                None if relation.total is None else (int(bureau), relation.total),
                tuple((int(bureau), part) for part in relation.parts),
            )
            for relation in table_relations(group_ids, setup)
        ]
    for group, rows in cells[cells["bureau_id"] != CITY].groupby("group_id", sort=False):
        if (CITY, int(group)) in people:
            relations.append(
                Relation((CITY, int(group)), tuple((int(b), int(group)) for b in rows["bureau_id"]))
            )
    hideable = [cell for cell in people if cell[1] not in setup.unknown]
    # The city's figures are what most readers come for: protect with the bureaus' figures first.
    city = [cell for cell in people if cell[0] == CITY]
    codes = hide_cells(people, relations, may_hide=hideable, last_resort=city)
    codes = _audited(people, relations, codes, hideable, city)
    return pd.Series(
        [
            codes.get((int(b), int(g)), SHOWN)
            for b, g in zip(cells["bureau_id"], cells["group_id"], strict=True)
        ],
        index=cells.index,
        dtype="int8",
    )


def _audited(
    people: Mapping[Any, float],
    relations: Sequence[Relation],
    codes: dict[Hashable, int],
    hideable: list,
    last_resort: list,
) -> dict[Hashable, int]:
    """``codes`` with more figures hidden until no small count can be worked back exactly from all
    the relations together. Each round hides, for each small count that can be worked back, the
    largest figure still shown in a sum that holds it (see :func:`_picks_near`; the ``last_resort``
    figures last), then reapplies the rule.

    A small count that the published totals alone give away (a bureau of 3 people whose only group
    besides "unknown" is one group gives it away with its total) stays pinned however much is
    hidden. When nothing is left to hide near a pinned count, such counts are found (with
    everything hideable hidden) and left out, so that they do not make the rule hide everything
    else in vain; only then is a figure far from them hidden."""
    may_hide, keep = set(hideable), set(last_resort)
    hopeless: set[Hashable] | None = None  # worked out only when nothing near is left to hide
    for _ in range(len(people)):
        pinned = set(pinned_cells(people, relations, codes))
        exposed = {cell for cell in pinned if codes[cell] == SMALL and cell not in (hopeless or ())}
        if not exposed:
            break  # a protecting figure that can be worked back reveals nobody's small count
        still_shown = [cell for cell in may_hide if not codes.get(cell, SHOWN)]
        picks = _picks_near(exposed, pinned, relations, still_shown, people, keep)
        if not picks and hopeless is None:
            everything = {**codes, **{cell: codes.get(cell) or COMPLEMENT for cell in may_hide}}
            hopeless = set(pinned_cells(people, relations, everything))
            continue
        if not picks:
            picks = [pick] if (pick := _largest(still_shown, people, keep)) is not None else []
        if not picks:
            break  # everything that may be hidden is hidden
        codes.update(dict.fromkeys(picks, COMPLEMENT))
        codes = hide_cells(people, relations, may_hide=may_hide, last_resort=keep, already=codes)
    return codes


def _picks_near(
    exposed: set[Hashable],
    pinned: set[Hashable],
    relations: Sequence[Relation],
    still_shown: list[Hashable],
    people: Mapping,
    keep: set,
) -> list[Hashable]:
    """For each small count that can be worked back, the largest figure still shown in a sum that
    holds it (or, failing that, in a sum that holds any figure that can be worked back): hidden
    together in one round, so that a large grid needs a few rounds, not one per figure."""
    shown = set(still_shown)
    picks: set[Hashable] = set()
    for cell in exposed:
        near = [
            c for r in relations if cell in (*r.parts, r.total) for c in (*r.parts, r.total) if c in shown
        ]
        if not near:
            near = [
                c
                for r in relations
                if pinned & {*r.parts, r.total}
                for c in (*r.parts, r.total)
                if c in shown
            ]
        if (pick := _largest(list(dict.fromkeys(near)), people, keep)) is not None:
            picks.add(pick)
    return sorted(picks, key=str)


def pinned_cells(
    people: Mapping[Any, float], relations: Sequence[Relation], codes: Mapping[Hashable, int]
) -> list[Hashable]:
    """The hidden figures a reader can work back exactly from every shown figure and every sum at
    once, knowing that no figure is negative.

    Two steps, exact for any such system: one linear programme (SciPy's HiGHS) finds the figures
    that can never be above 0, the rest can all be positive together; on those, no bound binds, so
    a figure is fixed exactly when the sums alone fix it: when the null space of the sums' matrix
    has nothing in its coordinate."""
    from scipy import sparse  # only linked figures need SciPy; imported here to keep start-up light
    from scipy.optimize import linprog

    hidden = [cell for cell, code in codes.items() if code != SHOWN]
    matrix, values = _hidden_equations(people, relations, hidden)
    if not len(matrix):
        return []
    n = len(hidden)
    # Variables x (the hidden figures), z (how far each can rise, capped at 1) and a scale s ≥ 1:
    # maximise Σ z subject to A·x = b·s and z ≤ x. Scaling the polytope up lets every figure that
    # can be positive reach z = 1 in the same solution.
    objective = np.concatenate([np.zeros(n), -np.ones(n), [0.0]])
    # Sparse: a grid of a large city holds thousands of hidden figures, each in a few sums.
    equalities = sparse.hstack(
        [sparse.csr_array(matrix), sparse.csr_array((len(matrix), n)), sparse.csr_array(-values[:, None])]
    )
    rises = sparse.hstack([-sparse.eye_array(n), sparse.eye_array(n), sparse.csr_array((n, 1))])
    result = linprog(
        objective,
        A_ub=rises,
        b_ub=np.zeros(n),
        A_eq=equalities,
        b_eq=np.zeros(len(matrix)),
        bounds=[(0, None)] * n + [(0, 1)] * n + [(1, None)],
    )
    if result.status != 0:
        return list(hidden)  # cannot tell: treat every hidden figure as exposed
    free = result.x[n : 2 * n] > 0.5
    moves = np.zeros(n, dtype=bool)
    if free.any():
        moves[np.flatnonzero(free)] = _can_move(matrix[:, free])
    return [cell for cell, moving in zip(hidden, moves, strict=True) if not moving]


def _can_move(matrix: np.ndarray) -> np.ndarray:
    """Per column of A: whether the null space of A has anything in that coordinate, i.e. whether
    the sums leave that figure free. A coordinate is fixed exactly when its unit vector lies in A's
    row space, where its leverage (the squared norm of its row in an orthonormal basis of the row
    space) is 1. Worked out one connected block of sums at a time: many small SVDs instead of one
    of the whole grid."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components
    from threadpoolctl import threadpool_limits

    rows, columns = matrix.shape
    moves = np.ones(columns, dtype=bool)  # a figure in no sum is free
    if rows == 0:
        return moves
    links = sparse.csr_array(np.abs(matrix) > 0)
    graph = sparse.block_array([[None, links], [links.T, None]])
    _, label = connected_components(graph, directed=False)
    for block in np.unique(label[rows:]):
        block_rows = np.flatnonzero(label[:rows] == block)
        block_columns = np.flatnonzero(label[rows:] == block)
        if not len(block_rows):
            continue
        block = matrix[np.ix_(block_rows, block_columns)]
        found = _can_move_iteratively(block) if len(block_columns) > DENSE_BLOCK else None
        if found is None:
            with threadpool_limits(1):  # BLAS's own threads only fight the server's for the cores
                _, singular, vt = np.linalg.svd(block, full_matrices=False)
            rank = int((singular > singular.max(initial=0.0) * max(vt.shape) * 1e-12).sum())
            found = (vt[:rank] ** 2).sum(axis=0) < 1.0 - 1e-9  # leverage below 1: free
        moves[block_columns] = found
    return moves


DENSE_BLOCK = 300  # figures: a larger block of sums is checked by sparse least squares, not an SVD


def _can_move_iteratively(block: np.ndarray) -> np.ndarray | None:
    """:func:`_can_move` for a large block by sparse least squares: the part of a random vector
    outside A's row space (y − Aᵀw, w = argmin ‖Aᵀw − y‖) is zero in exactly the coordinates the
    sums fix, and almost surely not zero in the others; two vectors, and a figure counts as free
    only where either leaves clearly more than rounding. None when the solver does not converge
    (the caller then takes the SVD)."""
    from scipy import sparse
    from scipy.sparse.linalg import lsqr

    transposed = sparse.csr_array(block.T)
    generator = np.random.default_rng(2016)  # fixed: the same figures give the same answer
    free = np.zeros(block.shape[1], dtype=bool)
    for _ in range(2):
        target = generator.standard_normal(block.shape[1])
        solution, stop, *_ = lsqr(transposed, target, atol=1e-14, btol=1e-14, iter_lim=20 * block.shape[1])
        if stop not in (1, 2):
            return None
        free |= np.abs(target - transposed @ solution) > 1e-6
    return free


def _hidden_equations(
    people: Mapping[Any, float], relations: Sequence[Relation], hidden: list[Hashable]
) -> tuple[np.ndarray, np.ndarray]:
    """Each relation that holds a hidden figure, as one row of A·x = b over the hidden figures x:
    the shown figures and the always-published sums move to b."""
    position = {cell: index for index, cell in enumerate(hidden)}
    rows, values = [], []
    for relation in relations:
        if not any(cell in position for cell in (*relation.parts, relation.total)):
            continue
        row, value = np.zeros(len(hidden)), 0.0
        for part in relation.parts:
            if part in position:
                row[position[part]] += 1.0
            else:
                value -= _count(people, part)
        if relation.total is None:
            value += sum(_count(people, part) for part in relation.parts)  # always published
        elif relation.total in position:
            row[position[relation.total]] -= 1.0
        else:
            value += _count(people, relation.total)
        rows.append(row)
        values.append(value)
    return np.array(rows).reshape(len(rows), len(hidden)), np.array(values, dtype=float)


# --- linked tables: every relation a reader can put together, across every surface ---------------

Cell = tuple[Any, ...]  # one figure of a cluster: (measure, period, group), ("city", group), …
SHARED = "shared"  # a cluster of the measures that carry one shared indicator (summed by the city)


def linked_codes(
    rows: pd.DataFrame, *, measures: pd.DataFrame, setup: GroupSetup
) -> tuple[pd.Series, pd.DataFrame]:
    """Suppression codes for group rows (``measure_id``, ``period_id``, ``period_start``,
    ``period_end``, ``group_id``, ``value``, ``numerator``), aligned with ``rows``, and the grid of
    each shared indicator those codes imply.

    Every published relation is protected at once, whichever page, download, report or API answer
    shows its figures (issue #11: no combination of surfaces may give a hidden count back):

    - the groups of one table add up to its total, the members of a roll-up to it (counts only);
    - a fiscal year's figure and its fourth quarter's (same end date) are one figure where they are
      equal, so they are hidden together;
    - a fiscal year's count is the sum of its four quarters' where they add up;
    - the measures that carry one shared indicator (every bureau's headcount) add up, at each
      fiscal year's end, to each bureau's figure and to the city's (the workforce page).

    Rows are judged in clusters that no relation crosses: one measure, or one shared indicator, in
    one fiscal year. A cluster without a small count hides nothing and is skipped. The grid has one
    row per (``indicator``, ``fiscal_year``, ``bureau_id``, ``group_id``) with ``people`` and
    ``code``; the city's rows have ``bureau_id`` :data:`CITY`.
    """
    from equity_tracking.periods import fiscal_year_containing, fiscal_year_end  # the ground floor

    codes = pd.Series(np.zeros(len(rows), dtype=np.int8), index=rows.index)
    if rows.empty:
        return codes, _empty_grid()
    definitions = measures.drop_duplicates("measure_id").set_index("measure_id")
    measure_ids = rows["measure_id"].astype("int64")
    unit = measure_ids.map(definitions["unit"]).fillna("").astype(str)
    indicator = measure_ids.map(definitions["indicator"]) if "indicator" in definitions else None
    shared = (
        indicator.notna() & unit.eq("count") if indicator is not None else pd.Series(False, index=rows.index)
    )
    bureau = (
        measure_ids.map(definitions["bureau_id"]).fillna(0).astype("int64").to_numpy()
        if "bureau_id" in definitions
        else np.zeros(len(rows), dtype=np.int64)  # hand-made frames: one bureau
    )
    ends = pd.to_datetime(rows["period_end"])
    fiscal_years = [fiscal_year_containing(end.date()) for end in ends]
    year_ends = {year: pd.Timestamp(fiscal_year_end(year)).value for year in set(fiscal_years)}
    records = [
        _Row(*fields)
        for fields in zip(
            measure_ids.tolist(),
            rows["period_id"].astype("int64").tolist(),
            rows["group_id"].astype("int64").tolist(),
            pd.to_datetime(rows["period_start"]).to_numpy("datetime64[ns]").astype("int64").tolist(),
            ends.to_numpy("datetime64[ns]").astype("int64").tolist(),
            people_counted(rows, unit).tolist(),
            unit.eq("count").tolist(),
            bureau.tolist(),
            strict=True,
        )
    ]
    # The shared indicator's name where the row's measure carries one (counts only), else None.
    names = [
        str(name) if is_shared else None
        for name, is_shared in zip(
            indicator.tolist() if indicator is not None else [None] * len(rows), shared.tolist(), strict=True
        )
    ]
    clusters: dict[tuple[str, int], list[int]] = {}
    for position, (record, name, year) in enumerate(zip(records, names, fiscal_years, strict=True)):
        # Only a fiscal year's end joins the city's sums; a measure's other periods are judged alone.
        at_city = name is not None and record.end == year_ends[year]
        key = (f"{SHARED}:{name}" if at_city else str(record.measure), year)
        clusters.setdefault(key, []).append(position)
    found = np.zeros(len(rows), dtype=np.int8)
    grids: list[pd.DataFrame] = []
    for (cluster, year), positions in clusters.items():
        is_shared = cluster.startswith(f"{SHARED}:")
        part = [records[position] for position in positions]
        if not is_shared and not any(record.people < THRESHOLD for record in part):
            continue  # nothing small: nothing hidden (most clusters; NaN counts nobody)
        cell_codes, grid = _cluster_codes(part, setup, fiscal_year=year, shared=is_shared)
        found[positions] = cell_codes
        if is_shared:
            grids.append(grid.assign(indicator=cluster.split(":", 1)[1]))
    codes[:] = found
    return codes, (pd.concat(grids, ignore_index=True) if grids else _empty_grid())


class _Row(NamedTuple):
    """One group row, as the linked rule reads it (dates as nanoseconds)."""

    measure: int
    period: int
    group: int
    start: int
    end: int
    people: float
    adds_up: bool
    bureau: int

    @property
    def key(self) -> Cell:
        return (self.measure, self.period, self.group)


def _empty_grid() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": pd.Series(dtype=object),
            "fiscal_year": pd.Series(dtype="int64"),
            "bureau_id": pd.Series(dtype="int64"),
            "group_id": pd.Series(dtype="int64"),
            "people": pd.Series(dtype=float),
            "code": pd.Series(dtype="int8"),
        }
    )


def _cluster_codes(
    part: list[_Row], setup: GroupSetup, *, fiscal_year: int, shared: bool
) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes for one cluster's rows (in order), and for a shared indicator its grid of bureaus and
    the city (see :func:`linked_codes`).

    A fiscal year's figure and its fourth quarter's for a group end on the same day: where they are
    equal they are one figure to a reader, so they are one cell here (hidden or shown together)."""
    from equity_tracking.periods import fiscal_year as fiscal_year_period

    cell_of = _same_figures(part)
    people: dict[Hashable, float] = {}
    tables: dict[tuple[int, int], list[_Row]] = {}
    for row in part:
        people.setdefault(cell_of[row.key], row.people)
        tables.setdefault((row.measure, row.period), []).append(row)
    relations: list[Relation] = []
    for table in tables.values():
        if all(row.adds_up for row in table):
            groups = {row.group: cell_of[row.key] for row in table}
            relations += _through(table_relations(list(groups), setup), groups)
    linked = _quarter_relations(part, people, fiscal_year_period(fiscal_year), cell_of)
    relations += linked
    hideable: list[Hashable] = list(
        dict.fromkeys(cell_of[row.key] for row in part if row.group not in setup.unknown)
    )
    last_resort: list[Hashable] = []
    grid_cells: dict[tuple[int, int], Cell] = {}
    if shared:
        grid_cells, city_relations = _grid_relations(part, people, setup, cell_of=cell_of)
        relations += city_relations
        last_resort = [cell for cell in grid_cells.values() if cell[0] == "city"]
        hideable += [
            cell
            for cell in grid_cells.values()
            if cell[0] in ("bureau", "city") and cell[-1] not in setup.unknown
        ]
    codes = hide_cells(people, relations, may_hide=hideable, last_resort=last_resort)
    if linked or shared:
        codes = _audited(people, relations, codes, hideable, last_resort)
    grid = pd.DataFrame(
        [
            {
                "fiscal_year": fiscal_year,
                "bureau_id": bureau,
                "group_id": group,
                "people": people.get(cell, np.nan),
                "code": codes.get(cell, SHOWN),
            }
            for (bureau, group), cell in grid_cells.items()
        ],
        columns=["fiscal_year", "bureau_id", "group_id", "people", "code"],
    )
    return np.array([codes.get(cell_of[row.key], SHOWN) for row in part], dtype=np.int8), grid


def _same_figures(part: list[_Row]) -> dict[Cell, Cell]:
    """Each row's cell: the first row of its measure, end date and group with an equal figure."""
    first: dict[tuple, list[tuple[float, Cell]]] = {}
    cell_of: dict[Cell, Cell] = {}
    for row in part:
        seen = first.setdefault((row.measure, row.end, row.group), [])
        count = row.people
        match = next(
            (
                cell
                for value, cell in seen
                if (np.isnan(value) and np.isnan(count)) or abs(value - count) < 0.5
            ),
            None,
        )
        if match is None:
            seen.append((count, row.key))
        cell_of[row.key] = match or row.key
    return cell_of


def _through(relations: list[Relation], cell: Mapping[Any, Hashable]) -> list[Relation]:
    """Relations over group ids, as relations over the cells ``cell[group_id]``."""
    return [
        Relation(
            None if relation.total is None else cell[relation.total],
            tuple(cell[group] for group in relation.parts),
        )
        for relation in relations
    ]


def _equal(people: Mapping, a: Hashable, b: Hashable) -> bool:
    return bool(abs(_count(people, a) - _count(people, b)) < 0.5)


def _quarter_relations(
    part: list[_Row], people: Mapping, year: Any, cell_of: Mapping[Cell, Cell]
) -> list[Relation]:
    """A fiscal year's count is the sum of its four quarters' where the figures add up."""
    start, end = pd.Timestamp(year.start_date).value, pd.Timestamp(year.end_date).value
    annual: dict[tuple, Cell] = {}
    quarters: dict[tuple, set] = {}
    for row in part:
        if not row.adds_up:
            continue
        if row.start == start and row.end == end:
            annual[(row.measure, row.group)] = cell_of[row.key]
        else:
            quarters.setdefault((row.measure, row.group), set()).add(cell_of[row.key])
    relations: list[Relation] = []
    for key, total in annual.items():
        parts = tuple(sorted(quarters.get(key, set()) - {total}, key=str))
        if len(parts) == 4 and abs(_count(people, total) - sum(_count(people, cell) for cell in parts)) < 0.5:
            relations.append(Relation(total, parts))
    return relations


def _grid_relations(
    part: list[_Row], people: dict[Hashable, float], setup: GroupSetup, *, cell_of: Mapping[Cell, Cell]
) -> tuple[dict[tuple[int, int], Cell], list[Relation]]:
    """The cells of a shared indicator's grid at the fiscal year's end (each bureau's figure, the
    city's sum) and their relations: a bureau's measures to the bureau, the bureaus to the city, and
    the city's groups to its total and roll-ups. ``part`` holds the year's end only. A bureau with
    one measure has that measure's cell (a fiscal year's own row, else its fourth quarter's, as
    :func:`rules.one_per_period_end`)."""
    members: dict[tuple[int, int], dict[int, Cell]] = {}
    for row in sorted(part, key=lambda row: (row.measure, row.group, row.start)):
        members.setdefault((row.bureau, row.group), {}).setdefault(row.measure, cell_of[row.key])
    cells: dict[tuple[int, int], Cell] = {}
    relations: list[Relation] = []
    for (bureau, group), by_measure in sorted(members.items()):
        if len(by_measure) == 1:
            cells[(bureau, group)] = next(iter(by_measure.values()))
        else:
            cell = ("bureau", bureau, group)
            people[cell] = sum(_count(people, member) for member in by_measure.values())
            cells[(bureau, group)] = cell
            relations.append(Relation(cell, tuple(by_measure.values())))
    for group in sorted({group for _, group in cells}):
        city = ("city", int(group))
        bureaus = tuple(cell for (_, g), cell in cells.items() if g == group)
        people[city] = sum(_count(people, cell) for cell in bureaus)
        cells[(CITY, int(group))] = city
        relations.append(Relation(city, bureaus))
    city_groups = [group for (bureau, group) in cells if bureau == CITY]
    relations += _through(
        table_relations(city_groups, setup), {group: ("city", group) for group in city_groups}
    )
    for bureau in sorted({cell[1] for cell in cells.values() if cell[0] == "bureau"}):
        # A bureau's own sum over its measures is shown on the workforce page: its groups add up too.
        group_ids = [group for (b, group) in cells if b == bureau]
        relations += _through(
            table_relations(group_ids, setup), {group: cells[(bureau, group)] for group in group_ids}
        )
    return cells, relations


# --- derived figures -------------------------------------------------------------------------------

# Columns of the analytics' group shares that reveal a hidden group's count.
_REVEALING = (
    "value",
    "numerator",
    "denominator",
    "count",
    "share",
    "denominator_share",
    "representation_index",
    "parity_gap",
)


def public_shares(shares: pd.DataFrame, *, measures: pd.DataFrame, setup: GroupSetup) -> pd.DataFrame:
    """The analytics' group shares as the public may see them: ``suppressed`` (bool) and
    ``hidden_label`` added; every figure that reveals a hidden group's count blanked (NaN / NA).
    ``shares`` must hold whole clusters (see :func:`linked_codes`): every measure of a shared
    indicator with any of them."""
    return _public_shares(shares, measures=measures, setup=setup)[0]


def _public_shares(
    shares: pd.DataFrame, *, measures: pd.DataFrame, setup: GroupSetup
) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = shares.copy()
    codes, grid = linked_codes(frame, measures=measures, setup=setup)
    hidden = codes.to_numpy() != SHOWN
    frame["suppressed"] = hidden
    frame["hidden_label"] = np.where(hidden, HIDDEN_LABEL, "")
    for column in _REVEALING:
        if column in frame:
            frame[column] = frame[column].astype(float).where(~hidden)
    if "hires_to_parity" in frame:
        frame["hires_to_parity"] = frame["hires_to_parity"].astype("Int64").where(~hidden, pd.NA)
    return frame, grid


_SIDES = ("advantaged", "disadvantaged")


def public_disparities(by_period: pd.DataFrame, public: pd.DataFrame) -> pd.DataFrame:
    """Disparities with every period that compared a hidden group hidden whole: its ratio, score,
    groups and sentence (``disparity_reason_code`` "suppressed", and a sentence that names no one).
    ``public`` is :func:`public_shares` of the same measures."""
    hidden_periods = public.loc[public["suppressed"], ["measure_id", "period_id"]].drop_duplicates()
    frame = by_period.merge(hidden_periods.assign(_hidden=True), on=["measure_id", "period_id"], how="left")
    hidden = frame.pop("_hidden").fillna(False).astype(bool).to_numpy()
    return _blank_disparity(frame, hidden)


def _blank_disparity(frame: pd.DataFrame, hidden: np.ndarray) -> pd.DataFrame:
    for side in _SIDES:
        frame[f"{side}_group_id"] = frame[f"{side}_group_id"].astype("Int64").where(~hidden, pd.NA)
        frame[f"{side}_group"] = np.where(hidden, "", frame[f"{side}_group"].astype(object))
        frame[f"{side}_value"] = frame[f"{side}_value"].astype(float).where(~hidden)
    frame["disparity_ratio"] = frame["disparity_ratio"].astype(float).where(~hidden)
    frame["equity_score"] = frame["equity_score"].astype("Int64").where(~hidden, pd.NA)
    for column in ("groups_missing", "groups_unusable"):
        frame[column] = np.where(hidden, "", frame[column].astype(object))
    frame["disparity_reason_code"] = np.where(
        hidden, "suppressed", frame["disparity_reason_code"].astype(object)
    )
    frame["disparity_reason"] = np.where(hidden, SCORE_HIDDEN_TEXT, frame["disparity_reason"].astype(object))
    frame["disparity_state"] = np.where(hidden, "suppressed", frame["disparity_state"].astype(object))
    frame["disparity_state_label"] = np.where(hidden, "Hidden", frame["disparity_state_label"].astype(object))
    frame["disparity_state_icon"] = np.where(hidden, "–", frame["disparity_state_icon"].astype(object))
    return frame


def public_summary(summary: pd.DataFrame, public_by_period: pd.DataFrame) -> pd.DataFrame:
    """Each measure's latest disparity and change score, hidden where either its latest period or
    its baseline period is hidden in ``public_by_period`` (:func:`public_disparities`)."""
    hidden_keys = public_by_period.loc[
        public_by_period["disparity_reason_code"] == "suppressed", ["measure_id", "period_id"]
    ]
    hidden_set = set(map(tuple, hidden_keys.to_numpy(np.int64).tolist()))
    frame = summary.copy()
    latest_hidden = np.array(
        [
            (int(m), int(p)) in hidden_set
            for m, p in zip(frame["measure_id"], frame["period_id"], strict=True)
        ],
        dtype=bool,
    )
    baseline = frame["baseline_period_id"].astype("Int64")
    baseline_hidden = np.array(
        [
            pd.notna(p) and (int(m), int(p)) in hidden_set
            for m, p in zip(frame["measure_id"], baseline, strict=True)
        ],
        dtype=bool,
    )
    frame = _blank_disparity(frame, latest_hidden)
    change_hidden = latest_hidden | baseline_hidden
    frame["baseline_equity_score"] = (
        frame["baseline_equity_score"].astype("Int64").where(~baseline_hidden, pd.NA)
    )
    frame["change_score"] = frame["change_score"].astype("Int64").where(~change_hidden, pd.NA)
    frame["change_reason_code"] = np.where(
        change_hidden, "suppressed", frame["change_reason_code"].astype(object)
    )
    frame["change_reason"] = np.where(change_hidden, SCORE_HIDDEN_TEXT, frame["change_reason"].astype(object))
    frame["change_state"] = np.where(change_hidden, "suppressed", frame["change_state"].astype(object))
    return frame


# --- the public face of one analytics result ---------------------------------------------------------

_EQUITY_ROLLUP_COLUMNS = ("equity_score_mean", "change_score_mean", "n_scored", "n_change_scored")


@dataclass(frozen=True)
class SuppressedTables:
    """Every measure's suppressed tables of one view, made at once (:meth:`PublicView.suppressed_tables`)
    so that a snapshot on disk can hold them: three frames sorted by ``measure_id`` (a measure's rows
    are one run), the shared indicators' grids, and every measure judged (some have no rows)."""

    shares: pd.DataFrame
    by_period: pd.DataFrame
    summary: pd.DataFrame
    grids: Mapping[str, pd.DataFrame]
    measure_ids: frozenset[int]

    def covers(self, measure_ids: Iterable[int]) -> bool:
        return all(int(measure_id) in self.measure_ids for measure_id in measure_ids)

    def rows(self, measure_ids: list[int], which: int) -> pd.DataFrame:
        """The rows of ``measure_ids`` (sorted) in the ``which``-th frame (shares, by period,
        summary), measure after measure as :meth:`PublicView._frames` gives them: one ``take`` of
        the measures' runs, found by binary search, instead of a frame per measure."""
        frame = (self.shares, self.by_period, self.summary)[which]
        keys = frame["measure_id"].to_numpy()
        starts = np.searchsorted(keys, measure_ids, side="left")
        ends = np.searchsorted(keys, measure_ids, side="right")
        runs = [np.arange(start, end) for start, end in zip(starts, ends, strict=True)]
        positions = np.concatenate(runs) if runs else np.array([], dtype=np.int64)
        return frame.take(positions).reset_index(drop=True)


def _sorted_by_measure(frame: pd.DataFrame) -> pd.DataFrame:
    # Stable: within a measure the rows keep the order the rule produced them in.
    return frame.sort_values("measure_id", kind="stable").reset_index(drop=True)


@dataclass
class PublicView:
    """One analytics result as the public may see it.

    The judgements of measures and actions and the roll-ups involve no count by race and pass
    through (the roll-ups without their means of equity scores, which a hidden score would enter).
    Group rows, disparities and equity scores are suppressed a measure at a time, the first time a
    page asks for them, and kept: a page about one bureau never pays for the whole city's tables.
    """

    analytics: Any  # equity_tracking.analytics.Analytics (not imported: this module is below it)
    measures: pd.DataFrame  # the measure definitions (measure_id, unit, …)
    setup: GroupSetup
    _done: dict[int, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = field(
        default_factory=dict, repr=False
    )
    _grids: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)  # per shared indicator
    _lock: Lock = field(default_factory=Lock, repr=False)
    _tables: SuppressedTables | None = field(default=None, repr=False)  # made earlier, e.g. on disk

    @classmethod
    def restored(
        cls, analytics: Any, measures: pd.DataFrame, setup: GroupSetup, tables: SuppressedTables | None
    ) -> PublicView:
        """A view of an analytics result judged before, with its suppressed tables if they were made
        (:mod:`equity_tracking.snapshots`): a measure is then taken from them instead of suppressed."""
        grids = {} if tables is None else dict(tables.grids)
        return cls(analytics=analytics, measures=measures, setup=setup, _grids=grids, _tables=tables)

    def suppressed_tables(self) -> SuppressedTables:
        """Every measure's suppressed tables at once (25–45 s for the ``--scale 10`` city: for a
        snapshot made ahead of the visitors, never during a page run)."""
        if self._tables is not None:
            return self._tables
        measure_ids = sorted(int(measure_id) for measure_id in self.measures["measure_id"])
        shares, by_period, summary, grid = self._suppress_all(measure_ids)
        grids = {
            str(name): part.reset_index(drop=True) for name, part in grid.groupby("indicator", sort=False)
        }
        for name in self._indicators(measure_ids):
            grids.setdefault(name, _empty_grid())
        return SuppressedTables(
            shares=_sorted_by_measure(shares),
            by_period=_sorted_by_measure(by_period),
            summary=_sorted_by_measure(summary),
            grids=grids,
            measure_ids=frozenset(measure_ids),
        )

    @property
    def as_of(self) -> pd.Timestamp:
        return self.analytics.as_of

    @property
    def measure_status(self) -> pd.DataFrame:
        return self.analytics.measures

    @property
    def actions(self) -> pd.DataFrame:
        return self.analytics.actions

    @cached_property
    def rollups(self) -> dict[str, pd.DataFrame]:
        # Built once per view: every page run reads it, and the view is shared read-only.
        return {
            level: frame.drop(columns=[column for column in _EQUITY_ROLLUP_COLUMNS if column in frame])
            for level, frame in self.analytics.rollups.items()
        }

    def group_shares(self, measure_ids: Iterable[int]) -> pd.DataFrame:
        """The measures' group rows (every period up to the as-of date), suppressed."""
        return self._frames(measure_ids, 0)

    def disparities(self, measure_ids: Iterable[int]) -> pd.DataFrame:
        """The measures' disparity ratio and equity score in every period, suppressed."""
        return self._frames(measure_ids, 1)

    def disparity_summary(self, measure_ids: Iterable[int]) -> pd.DataFrame:
        """The measures' latest equity score and change score, suppressed."""
        return self._frames(measure_ids, 2)

    def indicator_grid(self, measure_ids: Iterable[int]) -> pd.DataFrame:
        """The counts of one shared indicator (e.g. every bureau's headcount) by bureau and group at
        each fiscal year's end, with the city's sums, suppressed in both directions.

        Columns: fiscal_year, bureau_id (:data:`CITY` for the city), group_id, people (NaN where
        hidden), known_total (everyone counted whose race/ethnicity is known), benchmark_share,
        suppressed. A year's value is the fiscal year's own, else its fourth quarter's.
        """
        from equity_tracking import rules  # pandas only; kept local to show what this method needs
        from equity_tracking.periods import fiscal_year_containing, fiscal_year_end

        measure_ids = [int(measure_id) for measure_id in measure_ids]
        shares = self.analytics.group_shares
        rows = shares[shares["measure_id"].isin(measure_ids)]
        # The rule per distinct period end (a few dozen dates), not per row (tens of thousands).
        ends = rows["period_end"].unique()
        fiscal_year_of = {end: fiscal_year_containing(end.date()) for end in ends}
        at_year_end = {end: end == pd.Timestamp(fiscal_year_end(fiscal_year_of[end])) for end in ends}
        rows = rows[rows["period_end"].map(at_year_end).to_numpy(dtype=bool)]
        rows = rules.one_per_period_end(rows, by=["measure_id", "group_id"])
        bureau_of = self.measures.set_index("measure_id")["bureau_id"]
        cells = pd.DataFrame(
            {
                "fiscal_year": rows["period_end"].map(fiscal_year_of).astype("int64").to_numpy(),
                "bureau_id": rows["measure_id"].map(bureau_of).astype("int64").to_numpy(),
                "group_id": rows["group_id"].astype("int64").to_numpy(),
                "people": rows["value"].astype(float).to_numpy(),
                "known_total": rows["known_total"].astype(float).to_numpy(),
                "benchmark_share": rows["benchmark_share"].astype(float).to_numpy(),
            }
        )
        cells = cells.groupby(["fiscal_year", "bureau_id", "group_id"], as_index=False).agg(
            people=("people", "sum"),
            known_total=("known_total", "sum"),
            benchmark_share=("benchmark_share", "first"),
        )
        city = cells.groupby(["fiscal_year", "group_id"], as_index=False).agg(
            people=("people", "sum"), benchmark_share=("benchmark_share", "first")
        )
        known = (
            cells.drop_duplicates(["fiscal_year", "bureau_id"]).groupby("fiscal_year")["known_total"].sum()
        )
        city = city.assign(bureau_id=CITY, known_total=city["fiscal_year"].map(known))
        grid = pd.concat([city, cells], ignore_index=True)
        self._frames(measure_ids, 0)  # suppresses the indicators' whole clusters
        decided = pd.concat(
            [self._grids.get(name, _empty_grid()) for name in self._indicators(measure_ids)]
            or [_empty_grid()]
        )
        codes = grid.merge(
            decided[["fiscal_year", "bureau_id", "group_id", "code"]].drop_duplicates(
                ["fiscal_year", "bureau_id", "group_id"]
            ),
            on=["fiscal_year", "bureau_id", "group_id"],
            how="left",
        )["code"]
        # A cell the linked rule did not judge (a measure outside any shared indicator) stays hidden.
        grid["suppressed"] = codes.fillna(COMPLEMENT).to_numpy() != SHOWN
        grid["people"] = grid["people"].where(~grid["suppressed"])
        return grid.sort_values(["fiscal_year", "bureau_id", "group_id"]).reset_index(drop=True)

    def _indicators(self, measure_ids: Iterable[int]) -> list[str]:
        """The shared indicators (of counts) the measures carry."""
        definitions = self.measures
        if "indicator" not in definitions:
            return []
        chosen = definitions[
            definitions["measure_id"].isin([int(m) for m in measure_ids])
            & definitions["indicator"].notna()
            & definitions["unit"].eq("count")
        ]
        return sorted(set(chosen["indicator"].astype(str)))

    def _with_clusters(self, measure_ids: list[int]) -> list[int]:
        """The measures and every other measure of the shared indicators they carry: suppressed
        together, since their figures add up to the city's."""
        indicators = self._indicators(measure_ids)
        if not indicators:
            return measure_ids
        definitions = self.measures
        partners = definitions.loc[
            definitions["indicator"].isin(indicators) & definitions["unit"].eq("count"), "measure_id"
        ]
        return sorted({*measure_ids, *(int(m) for m in partners)})

    def _frames(self, measure_ids: Iterable[int], which: int) -> pd.DataFrame:
        wanted = sorted({int(measure_id) for measure_id in measure_ids})
        if self._tables is not None and self._tables.covers(wanted):
            return self._tables.rows(wanted, which)
        missing = [measure_id for measure_id in wanted if measure_id not in self._done]
        if missing:
            self._suppress(missing)
        parts = [self._done[measure_id][which] for measure_id in wanted]
        if not parts:
            return self._suppress_frames([])[which]
        return pd.concat(parts, ignore_index=True)

    def _suppress(self, measure_ids: list[int]) -> None:
        measure_ids = self._with_clusters(measure_ids)
        shares, by_period, summary, grid = self._suppress_all(measure_ids)
        with self._lock:
            for name, part in grid.groupby("indicator", sort=False):
                self._grids[str(name)] = part.reset_index(drop=True)
            for name in self._indicators(measure_ids):
                self._grids.setdefault(name, _empty_grid())
            parts = [_by_measure(frame) for frame in (shares, by_period, summary)]
            for measure_id in measure_ids:
                self._done[measure_id] = tuple(
                    part.get(measure_id, frame.iloc[:0])
                    for part, frame in zip(parts, (shares, by_period, summary), strict=True)
                )

    def _suppress_frames(self, measure_ids: list[int]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return self._suppress_all(measure_ids)[:3]

    def _suppress_all(
        self, measure_ids: list[int]
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        analytics = self.analytics
        shares = analytics.group_shares[analytics.group_shares["measure_id"].isin(measure_ids)]
        by_period = analytics.disparities[analytics.disparities["measure_id"].isin(measure_ids)]
        summary = analytics.disparity_summary[analytics.disparity_summary["measure_id"].isin(measure_ids)]
        public, grid = _public_shares(shares, measures=self.measures, setup=self.setup)
        public_by_period = public_disparities(by_period, public)
        return public, public_by_period, public_summary(summary, public_by_period), grid


def _by_measure(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """``frame``'s rows per measure (one pass, not one filter per measure)."""
    return {
        int(measure_id): rows.reset_index(drop=True)
        for measure_id, rows in frame.groupby("measure_id", sort=False)
    }
