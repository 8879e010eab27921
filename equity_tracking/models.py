"""The plan database: SQLAlchemy 2 typed declarative models.

Owns the schema for the whole hierarchy in ``docs/domain.md``: citywide goals, strategies and focus
areas; bureaus (with their earlier names); plans → bureau goals → actions → performance measures;
race/ethnicity groups and benchmark populations; append-only measure values and action status
updates; users and roles; annual report narratives; reporting cycles, the review steps of each
bureau's cycle and the version numbers behind compare-and-set edits; and the audit log.

Design rules:
- every constraint has a name (see ``NAMING_CONVENTION``) so that Alembic migrations, including
  SQLite batch mode, can find and change them;
- enumerations are stored as plain strings with named CHECK constraints (portable across SQLite and
  PostgreSQL, and adding a value is a migration, not an ALTER TYPE);
- history is append-only: a measure value correction is a new row that names the row it replaces,
  an action status change is a new ``action_updates`` row, a narrative edit a new ``annual_reports``
  row, and a review step a new ``review_steps`` row;
- every text column has a length cap that every database enforces, not only PostgreSQL: a
  ``String(n)`` column is checked against ``n`` and a free-text column against the cap declared with
  :func:`capped_text` (see :func:`_cap_text_lengths`), so a pasted novel or a planted megabyte is
  refused by the database whatever wrote it.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    cast,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql import expression

from equity_tracking.periods import PeriodKind
from equity_tracking.permissions import Role  # the role names live with the rules about them

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable string enum with a named CHECK constraint, stored by value."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


MAX_LENGTH = "max_length"  # Column.info key: the cap of a free-text (Text or JSON) column, in characters


def capped_text(max_length: int) -> dict[str, Any]:
    """``mapped_column(Text, info=capped_text(2000))``: a free-text column capped at ``max_length``."""
    return {MAX_LENGTH: max_length}


# --- enumerations -----------------------------------------------------------------------------


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    COMPLETED = "completed"
    SUPERSEDED = "superseded"


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    SOME_DISRUPTION = "some_disruption"
    MAJOR_DISRUPTION = "major_disruption"
    COMPLETED = "completed"
    DEFERRED = "deferred"


class Unit(enum.StrEnum):
    PERCENT = "percent"
    COUNT = "count"
    DOLLARS = "dollars"
    RATE = "rate"
    DAYS = "days"


class Polarity(enum.StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEUTRAL = "neutral"


class RbaCategory(enum.StrEnum):
    """Results-Based Accountability: how much, how well, is anyone better off."""

    HOW_MUCH = "how_much"
    HOW_WELL = "how_well"
    BETTER_OFF = "better_off"


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


class ReviewStatus(enum.StrEnum):
    """Where a row stands now. A returned row is a draft again (the return is a review step)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"


class ReviewState(enum.StrEnum):
    """What one review step did to a bureau's cycle of work (see :class:`ReviewStep`)."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PUBLISHED = "published"


# --- the citywide framework -------------------------------------------------------------------


class CitywideGoal(Base):
    """One of the Council-adopted Citywide Racial Equity Goals (Resolution 37144)."""

    __tablename__ = "citywide_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    short_title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, info=capped_text(2000))
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    adopted_by: Mapped[str | None] = mapped_column(String(200))


class Strategy(Base):
    """One of GARE's six overall strategies."""

    __tablename__ = "strategies"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, info=capped_text(4000))


class FocusArea(Base):
    """A domain of the 2016 assessment: workforce, contracting, community access, …"""

    __tablename__ = "focus_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, info=capped_text(4000))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


# --- bureaus and plans ------------------------------------------------------------------------


class Bureau(Base):
    """A city bureau. ``id`` is stable across renames; ``code`` is the budget code (e.g. TR)."""

    __tablename__ = "bureaus"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    service_area: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    earlier_names: Mapped[list[BureauName]] = relationship(
        back_populates="bureau", cascade="all, delete-orphan", order_by="BureauName.valid_to"
    )
    plans: Mapped[list[Plan]] = relationship(back_populates="bureau")


class BureauName(Base):
    """A name a bureau used to have, and when (e.g. Office of Neighborhood Involvement)."""

    __tablename__ = "bureau_names"
    __table_args__ = (UniqueConstraint("bureau_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureaus.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    bureau: Mapped[Bureau] = relationship(back_populates="earlier_names")


class Plan(Base):
    """A bureau's five-year racial equity plan; a revision is a new version."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("bureau_id", "first_fiscal_year", "version"),
        CheckConstraint("last_fiscal_year >= first_fiscal_year", name="fiscal_years_ordered"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureaus.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    # Fiscal years by the calendar year they start in: 2016 is FY 2016-17.
    first_fiscal_year: Mapped[int] = mapped_column(Integer)
    last_fiscal_year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus, "plan_status"))
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)

    bureau: Mapped[Bureau] = relationship(back_populates="plans")
    goals: Mapped[list[BureauGoal]] = relationship(back_populates="plan", order_by="BureauGoal.sort_order")


goal_strategies = Table(
    "goal_strategies",
    Base.metadata,
    Column("goal_id", ForeignKey("bureau_goals.id", ondelete="CASCADE"), primary_key=True),
    Column("strategy_id", ForeignKey("strategies.id"), primary_key=True),
)


class BureauGoal(Base):
    """A goal in a bureau plan, mapped to one citywide goal and one focus area."""

    __tablename__ = "bureau_goals"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, info=capped_text(4000))
    citywide_goal_id: Mapped[int] = mapped_column(ForeignKey("citywide_goals.id"), index=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_areas.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    # Archived (retired by an administrator): kept with its history, left out of the lists people choose from.
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    plan: Mapped[Plan] = relationship(back_populates="goals")
    strategies: Mapped[list[Strategy]] = relationship(secondary=goal_strategies)
    actions: Mapped[list[Action]] = relationship(back_populates="goal", order_by="Action.sort_order")


class Action(Base):
    """An action under a bureau goal. Its current status mirrors its latest status update."""

    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("goal_id", "key"),
        CheckConstraint("percent_complete >= 0 AND percent_complete <= 100", name="percent_complete_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("bureau_goals.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(Text, info=capped_text(4000))
    lead: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus, "action_status"))
    percent_complete: Mapped[float] = mapped_column(Double, default=0.0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    # Archived (retired by an administrator): kept with its history, left out of the lists people choose from.
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    goal: Mapped[BureauGoal] = relationship(back_populates="actions")


class ActionUpdate(Base):
    """An append-only, dated status update on an action, with its narrative."""

    __tablename__ = "action_updates"
    __table_args__ = (
        CheckConstraint("percent_complete >= 0 AND percent_complete <= 100", name="percent_complete_range"),
        Index("ix_action_updates_action_id_reported_at", "action_id", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus, "action_status"))
    percent_complete: Mapped[float] = mapped_column(Double)
    narrative: Mapped[str | None] = mapped_column(Text, info=capped_text(4000))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # An update is public once the equity office publishes it, like a measure value.
    review_status: Mapped[ReviewStatus] = mapped_column(
        _enum(ReviewStatus, "review_status"), default=ReviewStatus.DRAFT
    )
    # The reporting cycle (fiscal year) the update was written for, and when it was published.
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


# --- periods, measures and values -------------------------------------------------------------


class ReportingPeriod(Base):
    """A fiscal year, fiscal quarter or calendar year, with dates so that periods sort correctly."""

    __tablename__ = "periods"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        Index("ix_periods_end_date_start_date", "end_date", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[PeriodKind] = mapped_column(_enum(PeriodKind, "period_kind"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    quarter: Mapped[int | None] = mapped_column(Integer)


class Measure(Base):
    """A performance measure of a bureau goal (usually of one of its actions)."""

    __tablename__ = "measures"
    __table_args__ = (
        UniqueConstraint("goal_id", "key"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("bureau_goals.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, info=capped_text(4000))
    unit: Mapped[Unit] = mapped_column(_enum(Unit, "unit"))
    polarity: Mapped[Polarity] = mapped_column(_enum(Polarity, "polarity"))
    rba_category: Mapped[RbaCategory] = mapped_column(_enum(RbaCategory, "rba_category"))
    frequency: Mapped[Frequency] = mapped_column(_enum(Frequency, "frequency"))
    baseline_value: Mapped[float | None] = mapped_column(Double)
    baseline_period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
    target_value: Mapped[float | None] = mapped_column(Double)
    target_period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
    disaggregated: Mapped[bool] = mapped_column(Boolean, default=False)
    data_source: Mapped[str | None] = mapped_column(String(300))
    benchmark_id: Mapped[int | None] = mapped_column(ForeignKey("benchmark_populations.id"))
    weight: Mapped[float] = mapped_column(Double, default=1.0)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # A key shared by the measures of every bureau that report the same thing (e.g.
    # "workforce_headcount"), so that citywide views can add them up; None for a bureau's own measure.
    indicator: Mapped[str | None] = mapped_column(String(60), index=True)
    # Archived (retired by an administrator): kept with its history, left out of the lists people choose from.
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class InterimTarget(Base):
    """A target on the way to the final one (e.g. for FY 2018-19)."""

    __tablename__ = "interim_targets"
    __table_args__ = (UniqueConstraint("measure_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    value: Mapped[float] = mapped_column(Double)


class RaceGroup(Base):
    """A configurable race/ethnicity group, or a roll-up of groups such as "People of color"."""

    __tablename__ = "race_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_rollup: Mapped[bool] = mapped_column(Boolean, default=False)
    # Records that race/ethnicity is not known (unknown, declined): never one side of a comparison.
    is_unknown: Mapped[bool] = mapped_column(Boolean, default=False, server_default=expression.false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @classmethod
    def takes_figures(cls) -> Any:
        """Whether figures may be entered for a group (SQL): active, and not a roll-up of others (the
        tracker adds a roll-up up itself). The forms offer these groups and the write path accepts them."""
        return and_(cls.active.is_(True), cls.is_rollup.is_(False))


class RaceGroupMembership(Base):
    """Which groups a roll-up adds up (e.g. every group but White in "People of color")."""

    __tablename__ = "race_group_memberships"

    rollup_id: Mapped[int] = mapped_column(ForeignKey("race_groups.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("race_groups.id", ondelete="CASCADE"), primary_key=True)


class BenchmarkPopulation(Base):
    """A population to compare against, e.g. the city's residents in a census survey."""

    __tablename__ = "benchmark_populations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    # Archived (retired by an administrator): kept with its history, left out of the lists people choose from.
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class BenchmarkShare(Base):
    """A group's share (0–1) of a benchmark population."""

    __tablename__ = "benchmark_shares"
    __table_args__ = (CheckConstraint("share >= 0 AND share <= 1", name="share_range"),)

    benchmark_id: Mapped[int] = mapped_column(
        ForeignKey("benchmark_populations.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("race_groups.id"), primary_key=True)
    share: Mapped[float] = mapped_column(Double)


class MeasureValue(Base):
    """One reported value of a measure, for a period and a group (no group: the total).

    Append-only: a correction is a new row whose ``replaces_id`` names the row it supersedes. The
    newest row per (measure, period, group) that a reader may see is the one shown.
    """

    __tablename__ = "measure_values"
    __table_args__ = (
        UniqueConstraint("replaces_id"),
        CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator_positive"),
        Index("ix_measure_values_measure_id_period_id", "measure_id", "period_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("race_groups.id"))
    value: Mapped[float] = mapped_column(Double)
    numerator: Mapped[float | None] = mapped_column(Double)
    denominator: Mapped[float | None] = mapped_column(Double)
    note: Mapped[str | None] = mapped_column(Text, info=capped_text(2000))
    source: Mapped[str | None] = mapped_column(String(300))
    review_status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus, "review_status"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("measure_values.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


# --- people, narratives, audit ----------------------------------------------------------------


class User(Base):
    """A person who signs in, with a local password (argon2id hash) or through the city's identity
    provider (matched by verified email). Disabled users cannot sign in; archived users are
    disabled and hidden from the Users page, never deleted (the audit log names them)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # Failed local sign-ins since the last success, and how many lockouts they have caused: each
    # lockout lasts longer than the one before (see accounts.lockout_for).
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lockouts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan")


class UserSession(Base):
    """A signed-in session. The browser holds a random token (in an HttpOnly cookie, or in the
    server-side session state for single sign-on); only its SHA-256 is stored. A session ends by
    signing out, by a timeout or when the user is disabled, and is kept, with why it ended."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    method: Mapped[str] = mapped_column(String(40))  # "password" or the identity provider's name
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(40))


class UserRole(Base):
    """A role a user holds; bureau editors hold it per bureau (``bureau_id``)."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "bureau_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id"))

    user: Mapped[User] = relationship(back_populates="roles")


class AnnualReport(Base):
    """One version of a bureau's annual narrative for one fiscal year: highlights, challenges and
    next year's priorities, each a list of 1–3 short texts.

    Append-only like measure values: an edit is a new row naming the row it replaces, and of the
    versions of one (bureau, fiscal year) a reader may see, the newest is the narrative.
    """

    __tablename__ = "annual_reports"
    __table_args__ = (
        UniqueConstraint("replaces_id"),
        Index("ix_annual_reports_bureau_id_fiscal_year", "bureau_id", "fiscal_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureaus.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    highlights: Mapped[list[str]] = mapped_column(JSON, default=list, info=capped_text(4000))
    challenges: Mapped[list[str]] = mapped_column(JSON, default=list, info=capped_text(4000))
    priorities: Mapped[list[str]] = mapped_column(JSON, default=list, info=capped_text(4000))
    review_status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus, "review_status"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("annual_reports.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ReportingCycle(Base):
    """A yearly reporting cycle: bureaus report on fiscal year ``fiscal_year`` from ``opens_on``
    and are due by ``due_on`` (by default the fiscal year's reporting deadline, 30 September)."""

    __tablename__ = "reporting_cycles"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)


class ReviewStep(Base):
    """One step of the review of a bureau's work for a reporting cycle: submitted, returned (with a
    comment for the editor), approved or published; who took it, when, and why.

    Steps are only ever added, never changed, so the history of a cycle (and what was public on any
    date) can be read back. The rows a step moved carry their new ``review_status`` (the current
    state, for fast reads) and, once published, ``published_at``.
    """

    __tablename__ = "review_steps"
    __table_args__ = (Index("ix_review_steps_bureau_id_fiscal_year", "bureau_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureaus.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    state: Mapped[ReviewState] = mapped_column(_enum(ReviewState, "review_state"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    comment: Mapped[str | None] = mapped_column(Text, info=capped_text(2000))
    # How many values, action updates and narratives the step moved.
    rows_moved: Mapped[int] = mapped_column(Integer, default=0)


class EditVersion(Base):
    """The version number of one editable thing (a measure's period, an action's status, a bureau's
    narrative for a year), for compare-and-set: a save names the version it started from and is
    refused if someone saved in between (see ``writes.claim_version``)."""

    __tablename__ = "edit_versions"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class AuditEntry(Base):
    """Who did what to which record, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(60))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AppMetadata(Base):
    """Facts about the database itself, e.g. whether it holds the demo dataset."""

    __tablename__ = "app_metadata"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, info=capped_text(4000))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, server_default=func.current_timestamp()
    )


def in_plans(owner: type[Measure] | type[Action], column: Any) -> Select:
    """``SELECT column`` from measures (or actions) joined to their goal and plan: the one path from
    a measure or an action to the bureau and plan version it belongs to (add the WHERE)."""
    return (
        select(column)
        .select_from(owner)
        .join(BureauGoal, BureauGoal.id == owner.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
    )


def cycle_rows(bureau_id: int, fiscal_year: int) -> dict[type[Base], Select]:
    """Per table, ``SELECT id`` of the bureau's rows that belong to its reporting cycle
    ``fiscal_year``: the values of the year's periods, the action updates written for the cycle, and
    the year's narrative. The one definition of a cycle's rows: review steps move them, and processes
    holding the values re-read them after a step."""
    return {
        MeasureValue: select(MeasureValue.id)
        .join(ReportingPeriod, ReportingPeriod.id == MeasureValue.period_id)
        .where(
            ReportingPeriod.fiscal_year == fiscal_year,
            MeasureValue.measure_id.in_(in_plans(Measure, Measure.id).where(Plan.bureau_id == bureau_id)),
        ),
        ActionUpdate: select(ActionUpdate.id).where(
            ActionUpdate.fiscal_year == fiscal_year,
            ActionUpdate.action_id.in_(in_plans(Action, Action.id).where(Plan.bureau_id == bureau_id)),
        ),
        AnnualReport: select(AnnualReport.id).where(
            AnnualReport.bureau_id == bureau_id, AnnualReport.fiscal_year == fiscal_year
        ),
    }


def table_of(model: type[Base]) -> Table:
    """A model's table (typed as the Table it is), for Core statements whose rows are read by name."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


DEMO_DATA_KEY = "demo_data"
DATA_CHANGES_KEY = "data_changes"  # a counter every write of plan data bumps (reads.data_version)
# A counter of the changes that are more than new values and review steps (a plan's status, a target,
# a renamed bureau…): after one, a process holding the values reads them all again.
STRUCTURE_CHANGES_KEY = "structure_changes"
# A counter of the changes the public can see (a publication, an import that publishes, any structural
# change): the public's data version, so that drafts saved all week leave the public's views alone.
PUBLIC_CHANGES_KEY = "public_changes"
# Made anew by every restore: a restored copy's counters may repeat ones the processes have seen.
RESTORE_KEY = "restore"


def _length_check(column: Column) -> CheckConstraint | None:
    """``length(column) <= cap`` for a column with a cap (its String length, or its declared
    :data:`MAX_LENGTH`); JSON is measured as the text it is stored as."""
    if isinstance(column.type, Enum):  # its IN (...) check already bounds it
        return None
    cap = column.info.get(MAX_LENGTH) or getattr(column.type, "length", None)
    if not cap:
        return None
    measured = cast(column, Text) if isinstance(column.type, JSON) else column
    return CheckConstraint(func.length(measured) <= cap, name=f"{column.name}_length")


def _cap_text_lengths() -> None:
    """Give every capped text column its length CHECK (named ``ck_<table>_<column>_length``)."""
    for table in Base.metadata.tables.values():
        for column in table.columns:
            check = _length_check(column)
            if check is not None:
                table.append_constraint(check)


_cap_text_lengths()
