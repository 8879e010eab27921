"""The read layer: parameterised queries that return pandas DataFrames.

Owns every read the pages and the analytics make. Queries are SQLAlchemy Core constructs (never SQL
built from strings), aggregate in the database where that saves moving rows, and return frames with
the same columns and dtypes on SQLite and PostgreSQL (dates as ``datetime64``, ids as ``int64``).

Measure values are append-only, so "the value" of a measure for a period and group is the newest
version a reader may see. The rules themselves (as-of cutoff, newest version, period order) live in
:mod:`equity_tracking.rules`; this module calls their SQL forms.

**Who may see what.** Every read of a row that can be unpublished (measure values, action updates,
annual narratives, plan versions and what hangs from a plan) takes the reader, a
:class:`~equity_tracking.permissions.Viewer`, as a required keyword: its scope is derived from the
signed-in principal by :mod:`equity_tracking.permissions`, and :func:`visible` is the one function
here that turns it into SQL. The public gets published rows; equity-office staff who ask for them,
every review state; a bureau editor, every review state of their own bureaus only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, Subquery, and_, case, func, literal, or_, select, true
from sqlalchemy.orm import QueryableAttribute, aliased

from equity_tracking.models import (
    DATA_CHANGES_KEY,
    DEMO_DATA_KEY,
    PUBLIC_CHANGES_KEY,
    RESTORE_KEY,
    STRUCTURE_CHANGES_KEY,
    Action,
    ActionStatus,
    ActionUpdate,
    AppMetadata,
    Bureau,
    BureauGoal,
    BureauName,
    CitywideGoal,
    FocusArea,
    Measure,
    MeasureValue,
    Plan,
    PlanStatus,
    RaceGroup,
    ReportingCycle,
    ReportingPeriod,
    ReviewState,
    ReviewStatus,
    ReviewStep,
    Strategy,
    User,
    cycle_rows,
    goal_strategies,
    in_plans,
)
from equity_tracking.periods import fiscal_year_label
from equity_tracking.permissions import Scope, Viewer
from equity_tracking.rules import (
    as_of_day,
    newest_versions,
    sql_action_update_rank,
    sql_period_order,
    sql_version_rank,
    sql_visible_as_of,
)

# A column, or an expression over columns.
SqlValue = ColumnElement[Any] | QueryableAttribute[Any]


def visible(viewer: Viewer, *, public: ColumnElement[bool], bureau_id: SqlValue) -> ColumnElement[bool]:
    """The viewer's scope as a WHERE condition: rows for which ``public`` holds, plus every row of
    the bureaus whose unpublished work the viewer may see (``bureau_id`` is the row's bureau)."""
    scope = viewer.scope
    if scope.every_bureau:
        return true()
    if scope.published_only:
        return public
    return or_(public, bureau_id.in_(sorted(scope.unpublished_bureaus or ())))


def visible_from(
    viewer: Viewer, *, entered_at: SqlValue, published_at: SqlValue, bureau_id: SqlValue
) -> ColumnElement[Any]:
    """When the viewer could first have seen a row, for the as-of cutoff: when it was entered, for a
    bureau whose unpublished work the viewer sees; otherwise when it was published (rows published
    before publication dates were kept count from their entry)."""
    public_time = func.coalesce(published_at, entered_at)
    scope = viewer.scope
    if scope.every_bureau:
        return entered_at  # type: ignore[return-value]
    if scope.published_only:
        return public_time
    return case((bureau_id.in_(sorted(scope.unpublished_bureaus or ())), entered_at), else_=public_time)


def not_archived(*models: type[BureauGoal] | type[Action] | type[Measure]) -> ColumnElement[bool]:
    """The rows that are in force: none of ``models`` (the row's own and those it hangs from, e.g. a
    measure and its goal) archived by an administrator. The one archive rule of the reads: what
    bureaus are asked to report, the forms and the public views leave archived goals, actions and
    measures out (their figures stay in the database, and the admin workspace still lists them)."""
    return and_(*(model.archived_at.is_(None) for model in models))


def published(review_status: SqlValue) -> ColumnElement[bool]:
    return review_status == ReviewStatus.PUBLISHED.value


def _plan_visible(viewer: Viewer) -> ColumnElement[bool]:
    """A draft plan version (and its goals, actions and measures) is never public."""
    return visible(viewer, public=Plan.status != PlanStatus.DRAFT.value, bureau_id=Plan.bureau_id)


def _under_visible(
    viewer: Viewer, *, review_status: SqlValue, owner: type[Measure] | type[Action], owner_id: SqlValue
) -> ColumnElement[bool]:
    """The scope for a row that hangs from a measure or an action (a value, an update): published,
    or of a bureau whose unpublished work the viewer sees; and under a plan version the viewer may
    see (a value under a draft plan is as unpublished as the plan, whatever its own status)."""
    if viewer.scope.every_bureau:
        return true()
    owner_bureau = in_plans(owner, Plan.bureau_id).where(owner.id == owner_id).scalar_subquery()
    return and_(
        visible(viewer, public=published(review_status), bureau_id=owner_bureau),
        owner_id.in_(in_plans(owner, owner.id).where(_plan_visible(viewer))),
    )


def _value_visible(viewer: Viewer) -> ColumnElement[bool]:
    return _under_visible(
        viewer, review_status=MeasureValue.review_status, owner=Measure, owner_id=MeasureValue.measure_id
    )


def _update_visible(viewer: Viewer) -> ColumnElement[bool]:
    return _under_visible(
        viewer, review_status=ActionUpdate.review_status, owner=Action, owner_id=ActionUpdate.action_id
    )


def _frame(engine: Engine, statement: Select, *, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], utc=column.endswith("_at"))
    return frame


# --- the citywide framework and bureaus ---------------------------------------------------------


def citywide_goals(engine: Engine) -> pd.DataFrame:
    """The Council-adopted citywide goals, in order: number, short_title, text, adopted_on."""
    statement = select(
        CitywideGoal.id,
        CitywideGoal.number,
        CitywideGoal.short_title,
        CitywideGoal.text,
        CitywideGoal.adopted_on,
        CitywideGoal.adopted_by,
    ).order_by(CitywideGoal.number)
    return _frame(engine, statement, dates=("adopted_on",))


def focus_areas(engine: Engine) -> pd.DataFrame:
    statement = select(FocusArea.id, FocusArea.key, FocusArea.name, FocusArea.description).order_by(
        FocusArea.sort_order, FocusArea.id
    )
    return _frame(engine, statement)


def strategies(engine: Engine) -> pd.DataFrame:
    statement = select(Strategy.id, Strategy.number, Strategy.name, Strategy.description).order_by(
        Strategy.number
    )
    return _frame(engine, statement)


def race_groups(engine: Engine) -> pd.DataFrame:
    statement = select(
        RaceGroup.id,
        RaceGroup.key,
        RaceGroup.name,
        RaceGroup.sort_order,
        RaceGroup.is_rollup,
        RaceGroup.is_unknown,
        RaceGroup.active,
        RaceGroup.takes_figures().label("takes_figures"),
    ).order_by(RaceGroup.sort_order, RaceGroup.id)
    return _frame(engine, statement)


def bureaus(engine: Engine, *, include_inactive: bool = False) -> pd.DataFrame:
    """Bureaus with their earlier names (``earlier_names``: "; "-joined, empty when none)."""
    statement = select(Bureau.id, Bureau.code, Bureau.name, Bureau.service_area, Bureau.active).order_by(
        Bureau.name
    )
    if not include_inactive:
        statement = statement.where(Bureau.active.is_(True))
    frame = _frame(engine, statement)
    names = _frame(
        engine,
        select(BureauName.bureau_id, BureauName.name).order_by(BureauName.bureau_id, BureauName.valid_to),
    )
    joined = names.groupby("bureau_id")["name"].agg("; ".join)
    frame["earlier_names"] = frame["id"].map(joined).astype(object).fillna("")
    return frame


def plans(engine: Engine, *, viewer: Viewer, bureau_id: int | None = None) -> pd.DataFrame:
    """Plans the viewer may see, with their bureau and a readable span ("FY 2016-17 to FY 2020-21")."""
    statement = (
        select(
            Plan.id,
            Plan.bureau_id,
            Bureau.code.label("bureau_code"),
            Bureau.name.label("bureau_name"),
            Plan.title,
            Plan.first_fiscal_year,
            Plan.last_fiscal_year,
            Plan.version,
            Plan.status,
            Plan.adopted_on,
        )
        .join(Bureau, Bureau.id == Plan.bureau_id)
        .where(_plan_visible(viewer))
        .order_by(Bureau.name, Plan.first_fiscal_year, Plan.version)
    )
    if bureau_id is not None:
        statement = statement.where(Plan.bureau_id == bureau_id)
    frame = _frame(engine, statement, dates=("adopted_on",))
    frame["status"] = frame["status"].astype(str).map(_enum_value)
    frame["span"] = [
        f"{fiscal_year_label(first)} to {fiscal_year_label(last)}"
        for first, last in zip(frame["first_fiscal_year"], frame["last_fiscal_year"], strict=True)
    ]
    return frame


def goals(
    engine: Engine, *, viewer: Viewer, bureau_id: int | None = None, plan_id: int | None = None
) -> pd.DataFrame:
    """Bureau goals of the plans the viewer may see, with their citywide goal, focus area and
    strategies ("; "-joined names)."""
    statement = (
        select(
            BureauGoal.id,
            BureauGoal.plan_id,
            Plan.bureau_id,
            Bureau.code.label("bureau_code"),
            BureauGoal.key,
            BureauGoal.title,
            BureauGoal.citywide_goal_id,
            CitywideGoal.number.label("citywide_goal_number"),
            CitywideGoal.short_title.label("citywide_goal_title"),
            BureauGoal.focus_area_id,
            FocusArea.key.label("focus_area_key"),
            FocusArea.name.label("focus_area_name"),
        )
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .join(Bureau, Bureau.id == Plan.bureau_id)
        .join(CitywideGoal, CitywideGoal.id == BureauGoal.citywide_goal_id)
        .join(FocusArea, FocusArea.id == BureauGoal.focus_area_id)
        .where(_plan_visible(viewer), not_archived(BureauGoal))
        .order_by(Bureau.name, BureauGoal.sort_order, BureauGoal.id)
    )
    if bureau_id is not None:
        statement = statement.where(Plan.bureau_id == bureau_id)
    if plan_id is not None:
        statement = statement.where(BureauGoal.plan_id == plan_id)
    frame = _frame(engine, statement)
    links = _frame(
        engine,
        select(goal_strategies.c.goal_id, Strategy.name)
        .join(Strategy, Strategy.id == goal_strategies.c.strategy_id)
        .order_by(goal_strategies.c.goal_id, Strategy.number),
    )
    joined = links.groupby("goal_id")["name"].agg("; ".join)
    frame["strategies"] = frame["id"].map(joined).astype(object).fillna("")
    return frame


# --- actions ------------------------------------------------------------------------------------


def _latest_update_per_action(viewer: Viewer, *, of_actions: Select | None = None) -> Subquery:
    """The newest status update of each action that the viewer may see; ``of_actions`` (a
    ``SELECT id`` of actions) narrows the updates before they are ranked, as in :func:`current_values`."""
    ranked = (
        select(
            ActionUpdate.action_id,
            ActionUpdate.status,
            ActionUpdate.percent_complete,
            ActionUpdate.narrative,
            ActionUpdate.reported_at,
            sql_action_update_rank(ActionUpdate.action_id, ActionUpdate.reported_at, ActionUpdate.id).label(
                "rank"
            ),
        )
        .where(_update_visible(viewer))
        .where(true() if of_actions is None else ActionUpdate.action_id.in_(of_actions))
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1).subquery()


def actions(
    engine: Engine, *, viewer: Viewer, bureau_id: int | None = None, goal_id: int | None = None
) -> pd.DataFrame:
    """Actions with their latest status update the viewer may see (status, % complete, narrative,
    when). An action whose every update is still unpublished shows as not started: the status on
    the action row mirrors its newest update, which this viewer may not see."""
    statement = (
        select(
            Action.id,
            Action.goal_id,
            Plan.bureau_id,
            Action.key,
            Action.title,
            Action.lead,
            Action.start_date,
            Action.due_date,
            Action.status,
            Action.percent_complete,
        )
        .join(BureauGoal, BureauGoal.id == Action.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .where(_plan_visible(viewer), not_archived(BureauGoal, Action))
        .order_by(Plan.bureau_id, BureauGoal.sort_order, Action.sort_order, Action.id)
    )
    if bureau_id is not None:
        statement = statement.where(Plan.bureau_id == bureau_id)
    if goal_id is not None:
        statement = statement.where(Action.goal_id == goal_id)
    frame = _frame(engine, statement, dates=("start_date", "due_date"))
    # The newest visible update of each action, joined here rather than in SQL: SQLite scans the
    # whole set of updates once per action for the join (seconds at scale 10).
    # Only this page's actions' updates are ranked (the city's at scale 10 took a quarter second).
    of_actions = statement.with_only_columns(Action.id).order_by(None)
    latest = _frame(
        engine, select(_latest_update_per_action(viewer, of_actions=of_actions)), dates=("reported_at",)
    )
    latest = latest.set_index("action_id")
    with engine.connect() as connection:
        updated = set(
            connection.execute(
                select(ActionUpdate.action_id).where(ActionUpdate.action_id.in_(of_actions)).distinct()
            ).scalars()
        )
    seen = frame["id"].isin(latest.index)
    unseen = frame["id"].isin(updated) & ~seen
    frame["status"] = frame["status"].map(_enum_value).astype(object)
    frame["percent_complete"] = frame["percent_complete"].astype(float)
    newest = latest.reindex(frame["id"])
    frame.loc[seen.to_numpy(), "status"] = newest.loc[seen.to_numpy(), "status"].map(_enum_value).to_numpy()
    frame.loc[seen.to_numpy(), "percent_complete"] = newest.loc[
        seen.to_numpy(), "percent_complete"
    ].to_numpy()
    frame.loc[unseen.to_numpy(), "status"] = ActionStatus.NOT_STARTED.value
    frame.loc[unseen.to_numpy(), "percent_complete"] = 0.0
    frame["latest_narrative"] = newest["narrative"].to_numpy()
    frame["latest_update_at"] = newest["reported_at"].to_numpy()
    frame["percent_complete"] = frame["percent_complete"].astype(float)
    return frame


# --- measures and values ------------------------------------------------------------------------


def current_values(
    *,
    viewer: Viewer,
    measure_id: int | None = None,
    bureau_id: int | None = None,
    fiscal_year: int | None = None,
) -> Subquery:
    """The newest version the viewer may see of every (measure, period, group) value, as a subquery.

    ``measure_id``, ``bureau_id`` (its measures) and ``fiscal_year`` (its periods) narrow the rows
    *before* the versions are ranked: each is a condition on the key (measure, period), so a key
    keeps every one of its versions and the same newest one, and a page about one bureau ranks its
    thousands of rows instead of the city's million (seconds at scale 10).
    """
    versions = select(
        MeasureValue,
        sql_version_rank(
            (MeasureValue.measure_id, MeasureValue.period_id, MeasureValue.group_id), MeasureValue.id
        ).label("version_rank"),
    ).where(_value_visible(viewer))
    if measure_id is not None:
        versions = versions.where(MeasureValue.measure_id == measure_id)
    if bureau_id is not None:
        versions = versions.where(MeasureValue.measure_id.in_(_measures_of(bureau_id)))
    if fiscal_year is not None:
        versions = versions.where(MeasureValue.period_id.in_(_periods_of(fiscal_year)))
    ranked = versions.subquery()
    return select(ranked).where(ranked.c.version_rank == 1).subquery("current_values")


def _measures_of(bureau_id: int) -> Select:
    """``SELECT id`` of a bureau's measures, in every plan version."""
    return in_plans(Measure, Measure.id).where(Plan.bureau_id == bureau_id)


def _periods_of(fiscal_year: int) -> Select:
    """``SELECT id`` of a fiscal year's periods (the year and its quarters)."""
    return select(ReportingPeriod.id).where(ReportingPeriod.fiscal_year == fiscal_year)


def measures(
    engine: Engine,
    *,
    viewer: Viewer,
    bureau_id: int | None = None,
    goal_id: int | None = None,
) -> pd.DataFrame:
    """Measures with their definitions, baselines and targets (values and judgements come from the
    analytics, which apply the as-of rule)."""
    baseline_period = aliased(ReportingPeriod)
    target_period = aliased(ReportingPeriod)
    statement = (
        select(
            Measure.id,
            Measure.goal_id,
            Measure.action_id,
            Plan.bureau_id,
            Bureau.code.label("bureau_code"),
            Measure.key,
            Measure.name,
            Measure.unit,
            Measure.polarity,
            Measure.rba_category,
            Measure.frequency,
            Measure.disaggregated,
            Measure.data_source,
            Measure.weight,
            Measure.benchmark_id,
            Measure.indicator,
            Measure.baseline_value,
            baseline_period.label.label("baseline_period"),
            baseline_period.end_date.label("baseline_period_end"),
            Measure.target_value,
            target_period.label.label("target_period"),
            target_period.end_date.label("target_period_end"),
        )
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .join(Bureau, Bureau.id == Plan.bureau_id)
        .outerjoin(baseline_period, baseline_period.id == Measure.baseline_period_id)
        .outerjoin(target_period, target_period.id == Measure.target_period_id)
        .where(_plan_visible(viewer), not_archived(BureauGoal, Measure))
        .order_by(Bureau.name, BureauGoal.sort_order, Measure.sort_order, Measure.id)
    )
    if bureau_id is not None:
        statement = statement.where(Plan.bureau_id == bureau_id)
    if goal_id is not None:
        statement = statement.where(Measure.goal_id == goal_id)
    frame = _frame(engine, statement, dates=("baseline_period_end", "target_period_end"))
    for column in ("unit", "polarity", "rba_category", "frequency"):
        frame[column] = frame[column].map(_enum_value)
    for column in ("baseline_value", "target_value", "weight"):
        frame[column] = frame[column].astype(float)
    frame["benchmark_id"] = frame["benchmark_id"].astype("Int64")
    return frame


def measure_history(
    engine: Engine,
    *,
    measure_id: int,
    viewer: Viewer,
    include_superseded: bool = False,
) -> pd.DataFrame:
    """A measure's values by period and group, oldest period first (``group_key`` empty = total),
    each with ``visible_at``, when this viewer could first have seen it (:func:`visible_from`).

    ``include_superseded`` adds the older versions that corrections replaced (``is_current`` False),
    of the review states the viewer may see: the measure page lists them, so that a correction is
    never silent.
    """
    source: Subquery
    if include_superseded:
        source = (
            select(MeasureValue)
            .where(MeasureValue.measure_id == measure_id)
            .where(_value_visible(viewer))
            .subquery("all_versions")
        )
    else:
        source = current_values(viewer=viewer, measure_id=measure_id)
    current_ids = select(current_values(viewer=viewer, measure_id=measure_id).c.id)
    owner_bureau = in_plans(Measure, Plan.bureau_id).where(Measure.id == measure_id).scalar_subquery()
    seen = visible_from(
        viewer, entered_at=source.c.entered_at, published_at=source.c.published_at, bureau_id=owner_bureau
    )
    statement = (
        select(
            source.c.id.label("version_id"),
            source.c.measure_id,
            ReportingPeriod.label.label("period"),
            ReportingPeriod.kind.label("period_kind"),
            ReportingPeriod.start_date.label("period_start"),
            ReportingPeriod.end_date.label("period_end"),
            func.coalesce(RaceGroup.key, literal("")).label("group_key"),
            func.coalesce(RaceGroup.name, literal("All")).label("group_name"),
            source.c.value,
            source.c.numerator,
            source.c.denominator,
            source.c.note,
            source.c.source,
            source.c.review_status,
            User.display_name.label("entered_by"),
            source.c.entered_at,
            seen.label("visible_at"),
            source.c.replaces_id,
            case((source.c.id.in_(current_ids), True), else_=False).label("is_current"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == source.c.period_id)
        .outerjoin(RaceGroup, RaceGroup.id == source.c.group_id)
        .outerjoin(User, User.id == source.c.entered_by_id)
        .where(source.c.measure_id == measure_id)
        .order_by(
            *sql_period_order(ReportingPeriod.end_date, ReportingPeriod.start_date),
            func.coalesce(RaceGroup.sort_order, literal(-1)),
            source.c.id,
        )
    )
    frame = _frame(engine, statement, dates=("period_start", "period_end", "entered_at", "visible_at"))
    frame["review_status"] = frame["review_status"].map(_enum_value)
    frame["period_kind"] = frame["period_kind"].map(_enum_value)
    frame["is_current"] = frame["is_current"].astype(bool)
    return frame


def annual_reports(
    engine: Engine,
    *,
    bureau_id: int | None = None,
    fiscal_year: int | None = None,
    viewer: Viewer,
) -> pd.DataFrame:
    """Bureaus' annual narratives, the newest version of each (bureau, fiscal year) that the viewer
    may see: report_id, bureau_id, bureau_code, bureau_name, fiscal_year, highlights, challenges,
    priorities (lists of text), review_status, updated_at; newest fiscal year first."""
    from equity_tracking.models import AnnualReport

    versions = select(
        AnnualReport,
        sql_version_rank((AnnualReport.bureau_id, AnnualReport.fiscal_year), AnnualReport.id).label("rank"),
    ).where(visible(viewer, public=published(AnnualReport.review_status), bureau_id=AnnualReport.bureau_id))
    if bureau_id is not None:
        versions = versions.where(AnnualReport.bureau_id == bureau_id)
    if fiscal_year is not None:
        versions = versions.where(AnnualReport.fiscal_year == fiscal_year)
    newest = versions.subquery()
    statement = (
        select(
            newest.c.id.label("report_id"),
            newest.c.bureau_id,
            Bureau.code.label("bureau_code"),
            Bureau.name.label("bureau_name"),
            newest.c.fiscal_year,
            newest.c.highlights,
            newest.c.challenges,
            newest.c.priorities,
            newest.c.review_status,
            newest.c.updated_at,
        )
        .join(Bureau, Bureau.id == newest.c.bureau_id)
        .where(newest.c.rank == 1)
        .order_by(newest.c.fiscal_year.desc(), Bureau.name)
    )
    frame = _frame(engine, statement, dates=("updated_at",))
    frame["review_status"] = frame["review_status"].map(_enum_value)
    for column in ("highlights", "challenges", "priorities"):
        frame[column] = frame[column].map(_text_list)
    return frame


def _text_list(value: object) -> list[str]:
    """A JSON list of texts as stored (a list on PostgreSQL, sometimes a string on SQLite)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [str(value)]
    return [str(item) for item in value] if isinstance(value, list) else []


def demo_marker(engine: Engine) -> dict | None:
    """The demo dataset's description when the database holds it, else None."""
    statement = select(AppMetadata.value).where(AppMetadata.key == DEMO_DATA_KEY)
    with engine.connect() as connection:
        raw = connection.execute(statement).scalar_one_or_none()
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return {"label": str(raw)}


def table_counts(engine: Engine) -> dict[str, int]:
    """Row counts of the main tables, for ``check`` and the about page."""
    tables = {
        "bureaus": Bureau,
        "plans": Plan,
        "bureau_goals": BureauGoal,
        "actions": Action,
        "action_updates": ActionUpdate,
        "measures": Measure,
        "measure_values": MeasureValue,
        "periods": ReportingPeriod,
        "race_groups": RaceGroup,
        "users": User,
    }
    with engine.connect() as connection:
        return {
            name: int(connection.execute(select(func.count()).select_from(model)).scalar_one())
            for name, model in tables.items()
        }


def _enum_value(value: object) -> object:
    """Enum members arrive as members on one backend and strings on another: keep the value."""
    return getattr(value, "value", value)


def data_version(engine: Engine, scope: Scope | None = None) -> str:
    """A cheap fingerprint that changes whenever the data ``scope`` may see does, for keying caches
    (without a scope: any plan data).

    Values and action updates are append-only, so their newest ids change with every one added;
    every other change of plan data bumps the ``data_changes`` counter in its own transaction
    (``writes.bump_data_version``). Sign-ins, refusals and user changes are audited but are not
    plan data: they leave every cache alone (else anyone could empty the caches by failing to sign
    in). One indexed query per page run.

    A reader of published rows only gets the *public* version: it moves with a publication, an
    import that publishes, a structural change or a new bureau (``public_changes``), and not with
    the drafts, submissions and approvals of the deadline week, so the public's judged views,
    snapshots and cached reads outlive them. A restore's mark is part of both versions.
    """
    restored = select(AppMetadata.value).where(AppMetadata.key == RESTORE_KEY).scalar_subquery()
    bureaus = select(func.count()).select_from(Bureau).scalar_subquery()
    if scope is not None and scope.published_only:
        published = select(AppMetadata.value).where(AppMetadata.key == PUBLIC_CHANGES_KEY).scalar_subquery()
        statement = select(literal("public"), published, bureaus, restored)  # never equal to a full one
    else:
        statement = select(
            select(func.max(MeasureValue.id)).scalar_subquery(),
            select(func.max(ActionUpdate.id)).scalar_subquery(),
            select(AppMetadata.value).where(AppMetadata.key == DATA_CHANGES_KEY).scalar_subquery(),
            bureaus,
            restored,
        )
    with engine.connect() as connection:
        row = connection.execute(statement).one()
    return "-".join("0" if part is None else str(part) for part in row)


# --- compact frames for the analytics -----------------------------------------------------------
# Read by ``equity_tracking.analytics.frames``. Ids are int64, dates datetime64 and instants UTC, on
# both backends. Models not imported at the top of this module are imported where they are used.


def period_frame(engine: Engine) -> pd.DataFrame:
    """Every reporting period: period_id, label, kind, start_date, end_date, fiscal_year, quarter."""
    statement = select(
        ReportingPeriod.id.label("period_id"),
        ReportingPeriod.label,
        ReportingPeriod.kind,
        ReportingPeriod.start_date,
        ReportingPeriod.end_date,
        ReportingPeriod.fiscal_year,
        ReportingPeriod.quarter,
    ).order_by(*sql_period_order(ReportingPeriod.end_date, ReportingPeriod.start_date))
    frame = _frame(engine, statement, dates=("start_date", "end_date"))
    frame["kind"] = frame["kind"].map(_enum_value)
    frame["period_id"] = frame["period_id"].astype("int64")
    return frame


def measure_definitions(engine: Engine, *, viewer: Viewer) -> pd.DataFrame:
    """Every measure of the plans the viewer may see, as the analytics need it, one row each.

    Columns: measure_id, goal_id, action_id, plan_id, bureau_id, key, name, unit, polarity,
    frequency, disaggregated, weight, baseline_value, baseline_period_id, baseline_period,
    baseline_period_end, target_value, target_period_id, target_period, target_period_end,
    benchmark_id (nullable Int64), ended_on, indicator (a shared indicator key, or None).
    """
    baseline_period = aliased(ReportingPeriod)
    target_period = aliased(ReportingPeriod)
    statement = (
        select(
            Measure.id.label("measure_id"),
            Measure.goal_id,
            Measure.action_id,
            BureauGoal.plan_id,
            Plan.bureau_id,
            Measure.key,
            Measure.name,
            Measure.unit,
            Measure.polarity,
            Measure.frequency,
            Measure.disaggregated,
            Measure.weight,
            Measure.baseline_value,
            Measure.baseline_period_id,
            baseline_period.label.label("baseline_period"),
            baseline_period.end_date.label("baseline_period_end"),
            Measure.target_value,
            Measure.target_period_id,
            target_period.label.label("target_period"),
            target_period.end_date.label("target_period_end"),
            Measure.benchmark_id,
            Measure.ended_on,
            Measure.indicator,
        )
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .outerjoin(baseline_period, baseline_period.id == Measure.baseline_period_id)
        .outerjoin(target_period, target_period.id == Measure.target_period_id)
        .where(_plan_visible(viewer), not_archived(BureauGoal, Measure))
        .order_by(Measure.id)
    )
    frame = _frame(engine, statement, dates=("baseline_period_end", "target_period_end", "ended_on"))
    for column in ("unit", "polarity", "frequency"):
        frame[column] = frame[column].map(_enum_value)
    for column in ("baseline_value", "target_value", "weight"):
        frame[column] = frame[column].astype(float)
    for column in ("action_id", "baseline_period_id", "target_period_id", "benchmark_id"):
        frame[column] = frame[column].astype("Int64")
    frame["disaggregated"] = frame["disaggregated"].astype(bool)
    return frame


def measure_value_frame(
    engine: Engine,
    *,
    viewer: Viewer,
    as_of: pd.Timestamp | str | None = None,
    include_superseded: bool = False,
    only: ColumnElement[bool] | None = None,
) -> pd.DataFrame:
    """Every measure value the viewer may see, compactly, for the analytics (about a million rows
    at scale 10).

    Columns: version_id, measure_id, period_id, group_id (0 = the total), value, numerator,
    denominator, entered_at (UTC: when this viewer could first have seen it, see
    :func:`visible_from`), is_published, period_label (categorical), period_kind, period_start,
    period_end. ``as_of`` (a date) leaves out periods that end after it and versions entered after
    it ends (in the city's time zone). Without ``include_superseded`` each (measure, period, group)
    has one row, its newest visible version; with it, every visible version (the analytics pick
    the newest as of any date themselves).

    The newest version is picked here in pandas, not with a window function: on SQLite that is
    about twice as fast for the whole table. ``only`` (a condition on ``measure_values``) reads just
    those rows: :func:`measure_value_changes` uses it to catch a held frame up.
    """
    from sqlalchemy import Double, cast, extract

    periods = period_frame(engine).set_index("period_id")
    value_bureau = (
        in_plans(Measure, Plan.bureau_id).where(Measure.id == MeasureValue.measure_id).scalar_subquery()
    )
    value_seen = visible_from(
        viewer,
        entered_at=MeasureValue.entered_at,
        published_at=MeasureValue.published_at,
        bureau_id=value_bureau,
    )
    statement = select(
        MeasureValue.id.label("version_id"),
        MeasureValue.measure_id,
        MeasureValue.period_id,
        func.coalesce(MeasureValue.group_id, literal(0)).label("group_id"),
        MeasureValue.value,
        MeasureValue.numerator,
        MeasureValue.denominator,
        # Seconds since 1970 (UTC) as a float: a million numbers convert at once, where a million
        # datetime objects or strings are converted one by one (several seconds).
        cast(extract("epoch", value_seen), Double).label("entered_at"),
        (MeasureValue.review_status == ReviewStatus.PUBLISHED.value).label("is_published"),
    ).where(_value_visible(viewer))
    if as_of is not None:
        ended = periods.index[periods["end_date"] <= as_of_day(as_of)]
        statement = statement.where(MeasureValue.period_id.in_([int(period_id) for period_id in ended]))
        statement = statement.where(*sql_visible_as_of(None, value_seen, as_of))
    if only is not None:
        statement = statement.where(only)
    frame = _columns_frame(engine, statement.order_by(MeasureValue.id))
    frame["entered_at"] = pd.to_datetime(frame["entered_at"], unit="s", utc=True)
    frame["is_published"] = frame["is_published"].astype(bool)
    if not include_superseded:
        frame = newest_versions(frame)
    return _with_period_columns(frame, periods)


def _with_period_columns(frame: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Add period_label, period_kind, period_start and period_end by period_id.

    Labels and kinds are Categoricals built from each row's position in the small periods table,
    so no string is made per row (a million of them would take most of a second).
    """
    import numpy as np

    position = periods.index.get_indexer(frame["period_id"].to_numpy())
    labels = [str(label) for label in periods["label"]]
    frame["period_label"] = pd.Categorical.from_codes(position, categories=labels)
    kinds = sorted(set(periods["kind"]))
    kind_codes = np.array([kinds.index(kind) for kind in periods["kind"]] + [-1], dtype=np.int64)
    frame["period_kind"] = pd.Categorical.from_codes(kind_codes[position], categories=kinds)
    frame["period_start"] = periods["start_date"].reindex(frame["period_id"].to_numpy()).to_numpy()
    frame["period_end"] = periods["end_date"].reindex(frame["period_id"].to_numpy()).to_numpy()
    return frame


def _columns_frame(engine: Engine, statement: Select) -> pd.DataFrame:
    """A large result as a frame, built column by column: ids int64, numbers float64 (NULL → NaN).

    ``pd.DataFrame(rows)`` inspects every Row object and takes several times longer on a million.
    """
    import numpy as np

    with engine.connect() as connection:
        result = connection.execute(statement)
        names = list(result.keys())
        rows = result.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data = {}
    for name, column in zip(names, columns, strict=True):
        if name.endswith("_id"):
            data[name] = np.array(column, dtype=np.int64)
        elif name in ("value", "numerator", "denominator", "entered_at"):
            data[name] = np.array(column, dtype=float)
        else:
            data[name] = pd.Series(column, dtype=object)
    return pd.DataFrame(data)


def interim_target_frame(engine: Engine) -> pd.DataFrame:
    """Interim targets: measure_id, period_id, period, period_end, value."""
    from equity_tracking.models import InterimTarget

    statement = (
        select(
            InterimTarget.measure_id,
            InterimTarget.period_id,
            ReportingPeriod.label.label("period"),
            ReportingPeriod.end_date.label("period_end"),
            InterimTarget.value,
        )
        .join(ReportingPeriod, ReportingPeriod.id == InterimTarget.period_id)
        .order_by(InterimTarget.measure_id, ReportingPeriod.end_date)
    )
    frame = _frame(engine, statement, dates=("period_end",))
    frame["value"] = frame["value"].astype(float)
    return frame


def action_update_frame(
    engine: Engine, *, viewer: Viewer, as_of: pd.Timestamp | str | None = None
) -> pd.DataFrame:
    """Action status updates the viewer may see: update_id, action_id, status, percent_complete,
    reported_at (UTC), visible_at (UTC: when this viewer could first have seen it, see
    :func:`visible_from`); with ``as_of``, only those the viewer could have seen by the end of that
    date (in the city's time zone)."""
    update_bureau = (
        in_plans(Action, Plan.bureau_id).where(Action.id == ActionUpdate.action_id).scalar_subquery()
    )
    seen = visible_from(
        viewer,
        entered_at=ActionUpdate.reported_at,
        published_at=ActionUpdate.published_at,
        bureau_id=update_bureau,
    )
    statement = select(
        ActionUpdate.id.label("update_id"),
        ActionUpdate.action_id,
        ActionUpdate.status,
        ActionUpdate.percent_complete,
        ActionUpdate.reported_at,
        seen.label("visible_at"),
    ).where(_update_visible(viewer))
    statement = statement.order_by(ActionUpdate.action_id, ActionUpdate.reported_at, ActionUpdate.id)
    if as_of is not None:
        statement = statement.where(*sql_visible_as_of(None, seen, as_of))
    frame = _frame(engine, statement, dates=("reported_at", "visible_at"))
    frame["status"] = frame["status"].map(_enum_value)
    frame["percent_complete"] = frame["percent_complete"].astype(float)
    return frame


def action_updates(
    engine: Engine, *, viewer: Viewer, bureau_id: int | None = None, action_id: int | None = None
) -> pd.DataFrame:
    """Every status update the viewer may see of a bureau's (or one action's) actions, with its
    narrative, oldest first: update_id, action_id, status, percent_complete, narrative,
    review_status, reported_at (UTC), fiscal_year (the cycle it was written for), author, visible_at
    (UTC, when this viewer could first have seen it)."""
    statement = (
        select(
            ActionUpdate.id.label("update_id"),
            ActionUpdate.action_id,
            ActionUpdate.status,
            ActionUpdate.percent_complete,
            ActionUpdate.narrative,
            ActionUpdate.review_status,
            ActionUpdate.reported_at,
            ActionUpdate.fiscal_year,
            func.coalesce(User.display_name, "").label("author"),
            visible_from(
                viewer,
                entered_at=ActionUpdate.reported_at,
                published_at=ActionUpdate.published_at,
                bureau_id=Plan.bureau_id,
            ).label("visible_at"),
        )
        .join(Action, Action.id == ActionUpdate.action_id)
        .join(BureauGoal, BureauGoal.id == Action.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .outerjoin(User, User.id == ActionUpdate.author_id)
        .where(visible(viewer, public=published(ActionUpdate.review_status), bureau_id=Plan.bureau_id))
        .where(_plan_visible(viewer))
        .order_by(ActionUpdate.action_id, ActionUpdate.reported_at, ActionUpdate.id)
    )
    if bureau_id is not None:
        statement = statement.where(Plan.bureau_id == bureau_id)
    if action_id is not None:
        statement = statement.where(ActionUpdate.action_id == action_id)
    frame = _frame(engine, statement, dates=("reported_at", "visible_at"))
    frame["status"] = frame["status"].map(_enum_value).astype(object)
    frame["percent_complete"] = frame["percent_complete"].astype(float)
    frame["narrative"] = frame["narrative"].astype(object)
    frame["review_status"] = frame["review_status"].map(_enum_value).astype(object)
    return frame


def goal_strategy_links(engine: Engine) -> pd.DataFrame:
    """Which GARE strategies each bureau goal names: goal_id, strategy_id."""
    statement = select(goal_strategies.c.goal_id, goal_strategies.c.strategy_id).order_by(
        goal_strategies.c.goal_id, goal_strategies.c.strategy_id
    )
    return _frame(engine, statement)


def race_group_membership_frame(engine: Engine) -> pd.DataFrame:
    """Which groups each roll-up group (e.g. "People of color") adds up: rollup_id, member_id."""
    from equity_tracking.models import RaceGroupMembership

    statement = select(RaceGroupMembership.rollup_id, RaceGroupMembership.member_id).order_by(
        RaceGroupMembership.rollup_id, RaceGroupMembership.member_id
    )
    return _frame(engine, statement)


def benchmark_share_frame(engine: Engine) -> pd.DataFrame:
    """Each group's share (0–1) of each benchmark population: benchmark_id, benchmark_key,
    benchmark_name, group_id, share."""
    from equity_tracking.models import BenchmarkPopulation, BenchmarkShare

    statement = (
        select(
            BenchmarkShare.benchmark_id,
            BenchmarkPopulation.key.label("benchmark_key"),
            BenchmarkPopulation.name.label("benchmark_name"),
            BenchmarkShare.group_id,
            BenchmarkShare.share,
        )
        .join(BenchmarkPopulation, BenchmarkPopulation.id == BenchmarkShare.benchmark_id)
        .order_by(BenchmarkShare.benchmark_id, BenchmarkShare.group_id)
    )
    frame = _frame(engine, statement)
    frame["share"] = frame["share"].astype(float)
    return frame


# --- reporting cycles and review --------------------------------------------------------------------


def reporting_cycles(engine: Engine) -> pd.DataFrame:
    """Every reporting cycle: fiscal_year, label ("FY 2020-21"), opens_on, due_on; oldest first."""
    statement = select(ReportingCycle.fiscal_year, ReportingCycle.opens_on, ReportingCycle.due_on).order_by(
        ReportingCycle.fiscal_year
    )
    frame = _frame(engine, statement, dates=("opens_on", "due_on"))
    frame.insert(1, "label", frame["fiscal_year"].map(fiscal_year_label))
    return frame


def review_steps(
    engine: Engine, *, viewer: Viewer, bureau_id: int | None = None, fiscal_year: int | None = None
) -> pd.DataFrame:
    """The review steps the viewer may see, newest first: step_id, bureau_id, bureau_name,
    fiscal_year, state, at (UTC), actor, comment, rows_moved. The public sees publications only."""
    statement = (
        select(
            ReviewStep.id.label("step_id"),
            ReviewStep.bureau_id,
            Bureau.name.label("bureau_name"),
            ReviewStep.fiscal_year,
            ReviewStep.state,
            ReviewStep.at,
            func.coalesce(User.display_name, "").label("actor"),
            ReviewStep.comment,
            ReviewStep.rows_moved,
        )
        .join(Bureau, Bureau.id == ReviewStep.bureau_id)
        .outerjoin(User, User.id == ReviewStep.actor_id)
        .where(
            visible(
                viewer, public=ReviewStep.state == ReviewState.PUBLISHED.value, bureau_id=ReviewStep.bureau_id
            )
        )
        .order_by(ReviewStep.id.desc())
    )
    if bureau_id is not None:
        statement = statement.where(ReviewStep.bureau_id == bureau_id)
    if fiscal_year is not None:
        statement = statement.where(ReviewStep.fiscal_year == fiscal_year)
    frame = _frame(engine, statement, dates=("at",))
    frame["state"] = frame["state"].map(_enum_value)
    return frame


def cycle_work(
    engine: Engine, *, viewer: Viewer, bureau_id: int | None = None, fiscal_year: int | None = None
) -> pd.DataFrame:
    """How much of each bureau's work for each cycle stands in each review status, counting the
    newest version of each figure, the updates and the newest narrative the viewer may see:
    bureau_id, fiscal_year, kind ("values", "action updates", "narrative"), review_status, rows."""
    values = current_values(viewer=viewer, bureau_id=bureau_id, fiscal_year=fiscal_year)
    value_bureau = (
        in_plans(Measure, Plan.bureau_id).where(Measure.id == values.c.measure_id).scalar_subquery()
    )
    parts = [
        select(
            value_bureau.label("bureau_id"),
            ReportingPeriod.fiscal_year.label("fiscal_year"),
            literal("values").label("kind"),
            values.c.review_status.label("review_status"),
        ).join(ReportingPeriod, ReportingPeriod.id == values.c.period_id),
        in_plans(Action, Plan.bureau_id.label("bureau_id"))
        .join(ActionUpdate, ActionUpdate.action_id == Action.id)
        .add_columns(
            ActionUpdate.fiscal_year.label("fiscal_year"),
            literal("action updates").label("kind"),
            ActionUpdate.review_status.label("review_status"),
        )
        .where(_update_visible(viewer)),
    ]
    narratives = annual_reports(engine, viewer=viewer, bureau_id=bureau_id, fiscal_year=fiscal_year)
    frames = []
    for statement in parts:
        rows = statement.subquery()
        grouped = select(
            rows.c.bureau_id,
            rows.c.fiscal_year,
            rows.c.kind,
            rows.c.review_status,
            func.count().label("rows"),
        ).group_by(rows.c.bureau_id, rows.c.fiscal_year, rows.c.kind, rows.c.review_status)
        if bureau_id is not None:
            grouped = grouped.where(rows.c.bureau_id == bureau_id)
        if fiscal_year is not None:
            grouped = grouped.where(rows.c.fiscal_year == fiscal_year)
        frames.append(_frame(engine, grouped))
    frames.append(
        narratives.groupby(["bureau_id", "fiscal_year", "review_status"], as_index=False)
        .size()
        .rename(columns={"size": "rows"})
        .assign(kind="narrative")
    )
    frame = pd.concat([part for part in frames if not part.empty] or frames[:1], ignore_index=True)
    frame["review_status"] = frame["review_status"].map(_enum_value)
    columns = ["bureau_id", "fiscal_year", "kind", "review_status", "rows"]
    return frame.reindex(columns=columns).dropna(subset=["fiscal_year"]).astype({"fiscal_year": int})


def values_in_review(
    engine: Engine,
    *,
    viewer: Viewer,
    review_status: str = ReviewStatus.SUBMITTED.value,
    bureau_id: int | None = None,
    fiscal_year: int | None = None,
) -> pd.DataFrame:
    """The newest figures the viewer may see that stand in ``review_status``, each beside the last
    published figure of the same measure and group (this period's or an earlier one's): value_id,
    bureau_id, bureau_name, measure_id, measure_name, unit, period, fiscal_year, group (blank for the
    total), value, last_published, note, entered_by, entered_at (UTC)."""
    values = current_values(viewer=viewer, bureau_id=bureau_id, fiscal_year=fiscal_year)
    prior = aliased(MeasureValue)
    prior_period = aliased(ReportingPeriod)
    last_published = (
        select(prior.value)
        .join(prior_period, prior_period.id == prior.period_id)
        .where(
            prior.measure_id == values.c.measure_id,
            prior.group_id.is_not_distinct_from(values.c.group_id),
            published(prior.review_status),
            prior_period.end_date <= ReportingPeriod.end_date,
        )
        .order_by(prior_period.end_date.desc(), prior.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        select(
            values.c.id.label("value_id"),
            Plan.bureau_id,
            Bureau.name.label("bureau_name"),
            values.c.measure_id,
            Measure.name.label("measure_name"),
            Measure.unit,
            ReportingPeriod.label.label("period"),
            ReportingPeriod.fiscal_year,
            func.coalesce(RaceGroup.name, "").label("group"),
            values.c.value,
            last_published.label("last_published"),
            values.c.note,
            func.coalesce(User.display_name, "").label("entered_by"),
            values.c.entered_at,
        )
        .join(Measure, Measure.id == values.c.measure_id)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .join(Bureau, Bureau.id == Plan.bureau_id)
        .join(ReportingPeriod, ReportingPeriod.id == values.c.period_id)
        .outerjoin(RaceGroup, RaceGroup.id == values.c.group_id)
        .outerjoin(User, User.id == values.c.entered_by_id)
        .where(values.c.review_status == review_status)
        .order_by(Bureau.name, Measure.sort_order, Measure.id, ReportingPeriod.end_date, RaceGroup.sort_order)
    )
    if bureau_id is not None:
        statement = statement.where(Plan.bureau_id == bureau_id)
    if fiscal_year is not None:
        statement = statement.where(ReportingPeriod.fiscal_year == fiscal_year)
    frame = _frame(engine, statement, dates=("entered_at",))
    frame["unit"] = frame["unit"].map(_enum_value)
    return frame


def bureau_entries(engine: Engine, *, viewer: Viewer, bureau_id: int, fiscal_year: int) -> pd.DataFrame:
    """The newest figures the viewer may see of a bureau's measures for the periods of one cycle:
    value_id, measure_id, period_id, period, group_id (0 = the total), value, numerator,
    denominator, note, source, review_status, entered_by, entered_at (UTC)."""
    values = current_values(viewer=viewer, bureau_id=bureau_id, fiscal_year=fiscal_year)
    statement = (
        select(
            values.c.id.label("value_id"),
            values.c.measure_id,
            values.c.period_id,
            ReportingPeriod.label.label("period"),
            func.coalesce(values.c.group_id, literal(0)).label("group_id"),
            values.c.value,
            values.c.numerator,
            values.c.denominator,
            values.c.note,
            values.c.source,
            values.c.review_status,
            func.coalesce(User.display_name, "").label("entered_by"),
            values.c.entered_at,
        )
        .join(ReportingPeriod, ReportingPeriod.id == values.c.period_id)
        .outerjoin(User, User.id == values.c.entered_by_id)
        .order_by(values.c.measure_id, ReportingPeriod.end_date, values.c.group_id)
    )
    frame = _frame(engine, statement, dates=("entered_at",))
    frame["review_status"] = frame["review_status"].map(_enum_value)
    return frame


def value_versions(engine: Engine, *, viewer: Viewer, measure_id: int) -> pd.DataFrame:
    """Every version of a measure's figures the viewer may see, newest first (the history panel):
    value_id, period, group (blank for the total), value, numerator, denominator, note,
    review_status, entered_by, entered_at (UTC), published_at (UTC), replaces_id."""
    statement = (
        select(
            MeasureValue.id.label("value_id"),
            ReportingPeriod.label.label("period"),
            func.coalesce(RaceGroup.name, "").label("group"),
            MeasureValue.value,
            MeasureValue.numerator,
            MeasureValue.denominator,
            MeasureValue.note,
            MeasureValue.review_status,
            func.coalesce(User.display_name, "").label("entered_by"),
            MeasureValue.entered_at,
            MeasureValue.published_at,
            MeasureValue.replaces_id,
        )
        .join(ReportingPeriod, ReportingPeriod.id == MeasureValue.period_id)
        .outerjoin(RaceGroup, RaceGroup.id == MeasureValue.group_id)
        .outerjoin(User, User.id == MeasureValue.entered_by_id)
        .where(MeasureValue.measure_id == measure_id, _value_visible(viewer))
        .order_by(MeasureValue.id.desc())
    )
    frame = _frame(engine, statement, dates=("entered_at", "published_at"))
    frame["review_status"] = frame["review_status"].map(_enum_value)
    frame["replaces_id"] = frame["replaces_id"].astype("Int64")
    return frame


# --- catching a held frame up ---------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ValueWatermark:
    """How far a frame of measure values has read: the newest value and review step, and the count
    of structural changes (anything but new values and review steps: after one, read everything)."""

    structure: str
    value_id: int
    step_id: int


def value_watermark(engine: Engine) -> ValueWatermark:
    """The watermark now (read it *before* the rows it describes)."""
    statement = select(
        select(AppMetadata.value).where(AppMetadata.key == STRUCTURE_CHANGES_KEY).scalar_subquery(),
        select(func.max(MeasureValue.id)).scalar_subquery(),
        select(func.max(ReviewStep.id)).scalar_subquery(),
    )
    with engine.connect() as connection:
        row = connection.execute(statement).one()
    structure, value_id, step_id = row[0], row[1], row[2]
    return ValueWatermark(str(structure or "0"), int(value_id or 0), int(step_id or 0))


def _changed_since(engine: Engine, since: ValueWatermark) -> ColumnElement[bool]:
    """Values that may look different to some reader since ``since``: newer rows, and every row of
    a bureau's cycle that a review step has moved since (its status or publication time changed)."""
    with engine.connect() as connection:
        cycles = connection.execute(
            select(ReviewStep.bureau_id, ReviewStep.fiscal_year)
            .where(ReviewStep.id > since.step_id)
            .distinct()
        ).all()
    moved = [MeasureValue.id.in_(cycle_rows(bureau_id, year)[MeasureValue]) for bureau_id, year in cycles]
    return or_(MeasureValue.id > since.value_id, *moved)


def measure_value_changes(
    engine: Engine, *, viewer: Viewer, since: ValueWatermark
) -> tuple[pd.DataFrame, set[int]]:
    """What a frame of every version (``measure_value_frame(include_superseded=True)``) read at
    ``since`` needs to be current: rows to add (as the viewer may see them now) and the version ids
    to drop first. Reads only the rows that changed, not the city."""
    changed = _changed_since(engine, since)
    with engine.connect() as connection:
        dropped = set(connection.execute(select(MeasureValue.id).where(changed)).scalars())
    added = measure_value_frame(engine, viewer=viewer, include_superseded=True, only=changed)
    return added, dropped


def updates_in_review(
    engine: Engine,
    *,
    viewer: Viewer,
    review_status: str = ReviewStatus.SUBMITTED.value,
    bureau_id: int | None = None,
    fiscal_year: int | None = None,
) -> pd.DataFrame:
    """Action status updates the viewer may see that stand in ``review_status``: update_id,
    bureau_name, action, status, percent_complete, narrative, fiscal_year, author, reported_at."""
    statement = (
        select(
            ActionUpdate.id.label("update_id"),
            Bureau.name.label("bureau_name"),
            Action.title.label("action"),
            ActionUpdate.status,
            ActionUpdate.percent_complete,
            ActionUpdate.narrative,
            ActionUpdate.fiscal_year,
            func.coalesce(User.display_name, "").label("author"),
            ActionUpdate.reported_at,
        )
        .join(Action, Action.id == ActionUpdate.action_id)
        .join(BureauGoal, BureauGoal.id == Action.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .join(Bureau, Bureau.id == Plan.bureau_id)
        .outerjoin(User, User.id == ActionUpdate.author_id)
        .where(_update_visible(viewer), ActionUpdate.review_status == review_status)
        .order_by(Bureau.name, Action.sort_order, ActionUpdate.reported_at)
    )
    if bureau_id is not None:
        statement = statement.where(Plan.bureau_id == bureau_id)
    if fiscal_year is not None:
        statement = statement.where(ActionUpdate.fiscal_year == fiscal_year)
    frame = _frame(engine, statement, dates=("reported_at",))
    frame["status"] = frame["status"].map(_enum_value)
    return frame


def narrative_versions(engine: Engine, *, viewer: Viewer, bureau_id: int, fiscal_year: int) -> pd.DataFrame:
    """Every version the viewer may see of a bureau's narrative for one year, newest first:
    report_id, highlights, challenges, priorities, review_status, updated_by, updated_at (UTC)."""
    from equity_tracking.models import AnnualReport

    statement = (
        select(
            AnnualReport.id.label("report_id"),
            AnnualReport.highlights,
            AnnualReport.challenges,
            AnnualReport.priorities,
            AnnualReport.review_status,
            func.coalesce(User.display_name, "").label("updated_by"),
            AnnualReport.updated_at,
        )
        .outerjoin(User, User.id == AnnualReport.updated_by_id)
        .where(
            AnnualReport.bureau_id == bureau_id,
            AnnualReport.fiscal_year == fiscal_year,
            visible(viewer, public=published(AnnualReport.review_status), bureau_id=AnnualReport.bureau_id),
        )
        .order_by(AnnualReport.id.desc())
    )
    frame = _frame(engine, statement, dates=("updated_at",))
    frame["review_status"] = frame["review_status"].map(_enum_value)
    for column in ("highlights", "challenges", "priorities"):
        frame[column] = frame[column].map(_text_list)
    return frame


# --- when the published data last changed ---------------------------------------------------------


def last_published(engine: Engine, *, viewer: Viewer) -> pd.DataFrame:
    """When the newest published measure value, action update or annual narrative that the viewer
    may see was published: one row, ``last_published_at`` (UTC; NaT while nothing is published).
    Rows published before publication dates were kept count from their entry, as in
    :func:`visible_from`. The pages' "last updated" date."""
    from equity_tracking.models import AnnualReport

    def newest(published_at: SqlValue, entered_at: SqlValue) -> ColumnElement[Any]:
        return func.max(func.coalesce(published_at, entered_at, type_=MeasureValue.published_at.type))

    values = select(newest(MeasureValue.published_at, MeasureValue.entered_at)).where(
        _value_visible(viewer), published(MeasureValue.review_status)
    )
    updates = select(newest(ActionUpdate.published_at, ActionUpdate.reported_at)).where(
        _update_visible(viewer), published(ActionUpdate.review_status)
    )
    narratives = select(newest(AnnualReport.published_at, AnnualReport.updated_at)).where(
        visible(viewer, public=published(AnnualReport.review_status), bureau_id=AnnualReport.bureau_id),
        published(AnnualReport.review_status),
    )
    with engine.connect() as connection:
        times = connection.execute(
            select(values.scalar_subquery(), updates.scalar_subquery(), narratives.scalar_subquery())
        ).one()
    stamps = [pd.Timestamp(time) for time in times if time is not None]
    stamps = [
        stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC") for stamp in stamps
    ]
    return pd.DataFrame(
        {"last_published_at": pd.Series([max(stamps) if stamps else pd.NaT], dtype="datetime64[us, UTC]")}
    )
