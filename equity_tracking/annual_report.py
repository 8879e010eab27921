"""Annual progress reports: what a bureau's report, or the citywide report, for a fiscal year says.

Owns the content of the reports that issue #11 asks for ("report back to the community"): a
plain-language summary first, then the plan's status (actions by status, measures by health, the
out-of-date measures named), the bureau's own narrative (citywide: progress by citywide goal, then
every bureau's narrative), the demographic charts, and notes on method with the as-of date. The
content is plain data (:class:`AnnualReport`, a tree of :class:`Section`), which
``equity_tracking.report_render`` lays out as HTML and as a tagged PDF.

Everything comes from what the public may see: the suppressed ``PublicView`` of
:func:`equity_tracking.publication.public_view` and the published reads, always as the public
viewer, whoever asks for the report. Nothing is judged here: health, out of date, reporting on time,
progress and suppression come from the analytics, ``analytics.reporting`` and the suppression
module, shaped by the dashboards' own functions; this module chooses, orders and words them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from equity_tracking import reads, rules
from equity_tracking.analytics.reporting import bureau_reporting
from equity_tracking.analytics.states import (
    ACTION_STATUS,
    ACTION_STATUS_ORDER,
    HEALTH,
    HEALTH_ORDER,
    PALETTE,
    StateStyle,
)
from equity_tracking.charts import workforce as workforce_charts
from equity_tracking.charts.style import (
    MEASURES_SOURCE,
    Chart,
    escaped,
    health_chart,
    paired_bars,
    progress_bars,
    state_bars,
)
from equity_tracking.dashboards import bureau as bureau_view
from equity_tracking.dashboards import citywide as city_view
from equity_tracking.dashboards import workforce as workforce_view
from equity_tracking.dashboards.common import (
    action_counts,
    as_of_caption,
    baseline_year_note,
    fiscal_year_choices,
    fiscal_year_key,
    health_counts,
    health_text,
    narrative,
    state_table,
)
from equity_tracking.formatting import MISSING, number, percent, plain, plural
from equity_tracking.periods import fiscal_year_label
from equity_tracking.permissions import PUBLIC
from equity_tracking.publication import public_view
from equity_tracking.suppression import HIDDEN_LABEL, NOTE, PublicView

Progress = Callable[[str, float], None]
CITY_NAME = "City of Portland"
OFFICE = "Office of Equity and Human Rights"
METHODOLOGY_PATH = "methodology"  # the tracker's "Methodology and about" page
OUT_OF_DATE_NAMED = 3  # in the citywide report, per bureau; the bureau's own report names them all


class ReportError(Exception):
    """A report that cannot be made as asked (an unknown bureau, a year no plan covers), in words
    for the person who asked."""


# --- the report as data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table as people read it: every cell is text; the first cell of each row names the row."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns of figures (set right-aligned)
    even: bool = False  # columns of even width (a name, then figures): laid out without measuring


@dataclass(frozen=True)
class ReportChart:
    """A chart with its words: the figure (drawn as SVG by the renderer), its text alternative, its
    data table (every chart has one) and notes under it."""

    chart: Chart
    alt: str
    table: Table
    notes: tuple[str, ...] = ()
    key: str = ""


@dataclass(frozen=True)
class Section:
    """One heading and what follows it, in this order: paragraphs, a bulleted list, a description
    list, charts, tables, then the subsections (one heading level down)."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    terms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a description list: (term, its items)
    charts: tuple[ReportChart, ...] = ()
    tables: tuple[Table, ...] = ()
    subsections: tuple[Section, ...] = ()
    key: str = ""


@dataclass(frozen=True)
class AnnualReport:
    """One annual progress report: a bureau's (``bureau_code`` set) or the city's."""

    title: str
    subject: str  # the bureau's name, or the city's
    bureau_code: str | None
    fiscal_year: int
    as_of: dt.date
    summary: tuple[str, ...]  # the plain-language summary, read first
    sections: tuple[Section, ...]
    method: tuple[str, ...]  # notes on method, after the sections
    methodology_url: str
    made_on: dt.date
    demo_note: str | None = None  # the demo city says so on every page
    author: str = OFFICE
    description: str = ""

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def fiscal_year_key(self) -> str:
        return fiscal_year_key(self.fiscal_year)

    @property
    def as_of_text(self) -> str:
        return f"{self.as_of.day} {self.as_of:%B %Y}"

    def charts(self) -> list[ReportChart]:
        """Every chart, in reading order."""
        return [chart for section in _walk(self.sections) for chart in section.charts]

    def section(self, key: str) -> Section:
        """The section with this key (KeyError if none)."""
        for section in _walk(self.sections):
            if section.key == key:
                return section
        raise KeyError(key)


def _walk(sections: Iterable[Section]) -> Iterable[Section]:
    for section in sections:
        yield section
        yield from _walk(section.subsections)


# --- what both reports read ------------------------------------------------------------------------


@dataclass
class _Inputs:
    """What the public may see for one fiscal year: the suppressed view and the published reads."""

    fiscal_year: int
    view: PublicView
    bureaus: pd.DataFrame
    plans: pd.DataFrame
    goals: pd.DataFrame
    groups: pd.DataFrame
    benchmarks: pd.DataFrame
    reports: pd.DataFrame  # published annual narratives of the year
    demo: dict | None
    made_on: dt.date
    names: pd.Series = field(init=False)  # measure name by measure_id

    def __post_init__(self) -> None:
        self.names = self.view.measures.set_index("measure_id")["name"].astype(str)

    @property
    def fy(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def baseline(self) -> str | None:
        return baseline_year_note(self.fiscal_year, fiscal_year_choices(self.plans))


def _inputs(engine: Engine, fiscal_year: int, *, made_on: dt.date | None, progress: Progress) -> _Inputs:
    plans = reads.plans(engine, viewer=PUBLIC)
    choices = fiscal_year_choices(plans)
    if fiscal_year not in choices:
        span = f"{fiscal_year_label(choices[0])} to {fiscal_year_label(choices[-1])}" if choices else ""
        raise ReportError(
            f"No plan covers {fiscal_year_label(fiscal_year)}: the plans cover {span}."
            if choices
            else "No bureau plans are in the database yet, so there is nothing to report."
        )
    progress("Judging every measure as of the reporting deadline", 0.05)
    view = public_view(engine, fiscal_year=fiscal_year, viewer=PUBLIC)
    progress("Reading the published narratives", 0.3)
    return _Inputs(
        fiscal_year=fiscal_year,
        view=view,
        bureaus=reads.bureaus(engine),
        plans=plans,
        goals=reads.goals(engine, viewer=PUBLIC),
        groups=reads.race_groups(engine),
        benchmarks=reads.benchmark_share_frame(engine),
        reports=reads.annual_reports(engine, fiscal_year=fiscal_year, viewer=PUBLIC),
        demo=reads.demo_marker(engine),
        made_on=made_on or dt.date.today(),
    )


def _quiet(step: str, fraction: float) -> None:
    """No progress to show."""


# --- the two reports -----------------------------------------------------------------------------------


def bureau_report(
    engine: Engine,
    *,
    fiscal_year: int,
    bureau_code: str,
    site_url: str | None = None,
    made_on: dt.date | None = None,
    progress: Progress = _quiet,
) -> AnnualReport:
    """One bureau's annual progress report for ``fiscal_year`` (the year it starts in), as the public
    may see it at the year's reporting deadline. ``site_url`` is where the tracker is served (for the
    link to its methodology page)."""
    code = str(bureau_code).strip().upper()
    bureaus = reads.bureaus(engine)
    match = bureaus[bureaus["code"] == code]
    if match.empty:
        known = ", ".join(sorted(bureaus["code"].astype(str)))
        raise ReportError(f"No bureau has the code “{code}”. The bureaus' codes: {known}.")
    inputs = _inputs(engine, fiscal_year, made_on=made_on, progress=progress)
    bureau = match.iloc[0]
    bureau_id, name = int(bureau["id"]), str(bureau["name"])
    plan = rules.plan_for_fiscal_year(inputs.plans[inputs.plans["bureau_id"] == bureau_id], fiscal_year)
    if plan is None:
        raise ReportError(f"{name} had no racial equity plan in force for {inputs.fy}.")
    view = inputs.view
    goals = bureau_view.plan_goals(inputs.goals[inputs.goals["bureau_id"] == bureau_id], int(plan["id"]))
    measures = reads.measures(engine, viewer=PUBLIC, bureau_id=bureau_id)
    plan_summary = bureau_view.plan_summary(view, plan)
    reporting = bureau_reporting(view.measure_status, view.actions, fiscal_year=fiscal_year)
    mine = reporting[reporting["bureau_id"] == bureau_id]
    due = int(mine["measures_due"].sum())
    reported = int(mine["measures_reported"].sum())
    reports = inputs.reports[inputs.reports["bureau_id"] == bureau_id]
    status = view.measure_status[view.measure_status["measure_id"].isin(measures["id"])]
    updates = reads.action_updates(engine, viewer=PUBLIC, bureau_id=bureau_id)
    progress("Writing the report", 0.4)
    sections = (
        _bureau_status_section(inputs, plan_summary, status, measures, goals, updates),
        _bureau_goals_section(inputs, goals),
        _bureau_narrative_section(inputs, name, reports),
        _bureau_demographics_section(inputs, measures, goals),
    )
    return _report(
        inputs,
        title=f"{name}: annual progress report, {inputs.fy}",
        subject=name,
        bureau_code=code,
        summary=_bureau_summary(inputs, name, due, reported, plan_summary, has_narrative=not reports.empty),
        sections=sections,
        site_url=site_url,
        description=(
            f"{name}'s racial equity plan in {inputs.fy}: measures by health, actions by status, the "
            "bureau's own narrative and figures by race/ethnicity, as published."
        ),
    )


def city_report(
    engine: Engine,
    *,
    fiscal_year: int,
    site_url: str | None = None,
    made_on: dt.date | None = None,
    progress: Progress = _quiet,
) -> AnnualReport:
    """The citywide annual progress report for ``fiscal_year``, for Council: every bureau's
    reporting, the measures and actions of every plan in force, progress by citywide goal, every
    bureau's published narrative, and the city's workforce by race/ethnicity."""
    inputs = _inputs(engine, fiscal_year, made_on=made_on, progress=progress)
    view = inputs.view
    table = city_view.bureau_table(view, bureaus=inputs.bureaus, fiscal_year=fiscal_year)
    on_time = city_view.reported_on_time(table)
    city = city_view.city_row(view)
    citywide_goals = reads.citywide_goals(engine)
    goals = city_view.goal_progress(view, citywide_goals)
    progress("Writing the report", 0.4)
    sections = (
        _city_status_section(inputs, city, table),
        _city_goals_section(inputs, goals, citywide_goals),
        _city_narratives_section(inputs),
        _city_demographics_section(inputs),
    )
    return _report(
        inputs,
        title=f"Racial equity plans: citywide annual progress report, {inputs.fy}",
        subject=CITY_NAME,
        bureau_code=None,
        summary=_city_summary(inputs, on_time, city, goals),
        sections=sections,
        site_url=site_url,
        description=(
            f"How the city's bureaus carried out their racial equity plans in {inputs.fy}: who reported, "
            "measures by health, actions by status, progress by citywide goal, the bureaus' own "
            "narratives and the city's workforce by race/ethnicity, as published."
        ),
    )


def _report(
    inputs: _Inputs,
    *,
    title: str,
    subject: str,
    bureau_code: str | None,
    summary: tuple[str, ...],
    sections: tuple[Section, ...],
    site_url: str | None,
    description: str,
) -> AnnualReport:
    """A report of ``inputs``' fiscal year: what both kinds share (the as-of date, notes on method,
    the methodology link, the day made and the demo note) around its own title and contents."""
    return AnnualReport(
        title=title,
        subject=subject,
        bureau_code=bureau_code,
        fiscal_year=inputs.fiscal_year,
        as_of=rules.reporting_deadline(inputs.fiscal_year),
        summary=summary,
        sections=sections,
        method=_method(inputs),
        methodology_url=_methodology_url(site_url),
        made_on=inputs.made_on,
        demo_note=_demo_note(inputs.demo),
        description=description,
    )


# --- the plain-language summary -------------------------------------------------------------------------

# How a count of measures or actions in a state reads in a sentence: (one, several).
HEALTH_PHRASES = {
    "achieved": ("has reached its target", "have reached their targets"),
    "on_track": ("is on track", "are on track"),
    "behind": ("is behind", "are behind"),
    "at_risk": ("is at risk", "are at risk"),
    "missed": ("missed its target", "missed their targets"),
    "out_of_date": ("is out of date", "are out of date"),
    "awaiting_final": ("awaits its final value", "await their final values"),
    "not_started": ("has not started", "have not started"),
    "tracked": ("is tracked but not judged", "are tracked but not judged"),
    "no_data": ("has no data", "have no data"),
    "cannot_judge": ("cannot be judged", "cannot be judged"),
}
ACTION_PHRASES = {
    "completed": ("is completed", "are completed"),
    "on_track": ("is on track", "are on track"),
    "some_disruption": ("has some disruption", "have some disruption"),
    "major_disruption": ("has major disruption", "have major disruption"),
    "overdue": ("is overdue", "are overdue"),
    "not_started": ("has not started", "have not started"),
    "deferred": ("is deferred", "are deferred"),
}


def counts_sentence(counts: Mapping[str, int], phrases: Mapping[str, tuple[str, str]]) -> str:
    """``"1 is on track, 1 is behind and 1 is out of date"``: the states with a count, in order."""
    parts = [
        f"{count:,} {phrases[state][0] if count == 1 else phrases[state][1]}"
        for state, count in counts.items()
        if count and state in phrases
    ]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _of_these(
    total: int, noun: str, counts: Mapping[str, int], phrases: Mapping[str, tuple[str, str]]
) -> str:
    if not total:
        return f"It has no {noun}s in the tracker."
    return f"Of its {plural(total, noun)}, {counts_sentence(counts, phrases)}."


def _bureau_summary(
    inputs: _Inputs, name: str, due: int, reported: int, plan: Mapping, *, has_narrative: bool
) -> tuple[str, ...]:
    deadline = _day(rules.reporting_deadline(inputs.fiscal_year))
    if due:
        first = (
            f"{name} reported {reported:,} of the {plural(due, 'measure')} due for {inputs.fy} by {deadline}."
        )
    else:
        first = f"None of {name}'s measures was due for {inputs.fy}."
    sentences = [
        first,
        _of_these(int(plan["n_measures"]), "measure", plan["health"], HEALTH_PHRASES),
        _of_these(int(plan["n_actions"]), "action", plan["actions"], ACTION_PHRASES),
    ]
    if inputs.baseline:
        sentences.append(inputs.baseline)
    elif plan["progress_text"] != MISSING:
        sentences.append(
            f"On average its goals have come {plan['progress_text']} of the way from baseline to target; "
            f"{plan['expected_text']} was expected by now."
        )
    sentences.append(
        "Its own account of the year (highlights, challenges and next year's priorities) is below."
        if has_narrative
        else f"It had not published its own account of {inputs.fy} (its annual narrative)."
    )
    return tuple(sentences)


def _city_summary(inputs: _Inputs, on_time: Mapping, city: pd.Series, goals: pd.DataFrame) -> tuple[str, ...]:
    deadline = _day(rules.reporting_deadline(inputs.fiscal_year))
    sentences = [
        f"{on_time['bureaus_on_time']} of {plural(on_time['bureaus_due'], 'bureau')} reported every measure "
        f"due for {inputs.fy} by {deadline}; {on_time['measures_reported']:,} of the "
        f"{plural(on_time['measures_due'], 'measure')} due ({percent(on_time['share_pct'])}) were reported.",
        _of_these(int(city["n_measures"]), "measure", health_counts(city), HEALTH_PHRASES).replace(
            "Of its", "Of the city's"
        ),
        _of_these(int(city["n_actions"]), "action", action_counts(city), ACTION_PHRASES).replace(
            "Of its", "Of the city's"
        ),
    ]
    if inputs.baseline:
        sentences.append(inputs.baseline)
    elif len(goals):
        sentences.append(
            "Progress toward the citywide goals: "
            + "; ".join(
                f"goal {goal.number} ({goal.short_title}) {goal.progress_text}" for goal in goals.itertuples()
            )
            + "."
        )
    published = inputs.reports["bureau_id"].nunique()
    sentences.append(
        f"{published} of {plural(len(inputs.bureaus), 'bureau')} published their own account of the year."
    )
    return tuple(sentences)


# --- plan status: actions by status, measures by health, out-of-date measures -----------------------


def _state_chart(
    counts: Mapping[str, int],
    styles: Mapping[str, StateStyle],
    order: Sequence[str],
    *,
    noun: str,
    title: str,
    key: str,
) -> ReportChart:
    """Counts by state as labelled bars, with their table."""
    if styles is HEALTH:
        chart = health_chart(counts, title=title)
    else:
        figure = state_bars(counts, styles=styles, order=order, x_title=f"Number of {noun.lower()}")
        chart = Chart(figure, title, MEASURES_SOURCE)
    # Whole numbers on the axis: a count of 0.2 actions reads as nonsense.
    top = max([int(count) for count in counts.values()] or [1])
    chart.figure.update_xaxes(tick0=0, dtick=max(1, -(-top // 5)), tickformat=",d")
    table = state_table(counts, styles, noun=noun).drop(columns="state_key")
    described = "; ".join(f"{row[0]}: {row[1]:,}" for row in table.itertuples(index=False))
    return ReportChart(
        chart=chart,
        alt=f"Bar chart of {noun.lower()} by {'health' if styles is HEALTH else 'status'}: {described}.",
        table=_table(
            table.assign(**{"Share (%)": table["Share (%)"].map(lambda value: percent(value))}),
            caption=title,
            numeric=(1, 2),
        ),
        key=key,
    )


def _status_charts(actions: Mapping[str, int], health: Mapping[str, int], fy: str) -> tuple[ReportChart, ...]:
    """Actions by status and measures by health, each left out when there is nothing to count."""
    charts = []
    if sum(actions.values()):
        charts.append(
            _state_chart(
                actions, ACTION_STATUS, ACTION_STATUS_ORDER, noun="Actions",
                title=f"Actions by status, {fy}", key="actions-by-status",
            )
        )  # fmt: skip
    if sum(health.values()):
        charts.append(
            _state_chart(
                health, HEALTH, HEALTH_ORDER, noun="Measures",
                title=f"Measures by health, {fy}", key="measures-by-health",
            )
        )  # fmt: skip
    return tuple(charts)


def _health_lines(counts: Mapping[str, int]) -> tuple[str, ...]:
    """What each health state that occurs means, in the states' own words."""
    return tuple(
        f"{health_text(state)}: {HEALTH[state].description}" for state in HEALTH_ORDER if counts.get(state, 0)
    )


def _out_of_date(inputs: _Inputs, status: pd.DataFrame) -> pd.DataFrame:
    """The out-of-date measures of ``status``: bureau_id, name, and when each last reported."""
    late = status[status["health"].astype(str) == "out_of_date"]
    return pd.DataFrame(
        {
            "bureau_id": late["bureau_id"].astype("int64").to_numpy(),
            "name": late["measure_id"].map(inputs.names).fillna("").to_numpy(),
            "last": late["current_period"].astype(object).fillna("").to_numpy(),
        }
    ).sort_values(["bureau_id", "name"], kind="stable")


def _with_period(values: pd.Series, periods: pd.Series) -> list[str]:
    """ "24.5 % (FY 2018-19)": a latest value with the period it is for."""
    return [
        value if value == MISSING else f"{value} ({period})"
        for value, period in zip(values, periods, strict=True)
    ]


def _last_reported(last: str) -> str:
    return f"last reported {last}" if last else "never reported"


def _bureau_status_section(
    inputs: _Inputs,
    plan: Mapping,
    status: pd.DataFrame,
    measures: pd.DataFrame,
    goals: pd.DataFrame,
    updates: pd.DataFrame,
) -> Section:
    fy = inputs.fy
    late = _out_of_date(inputs, status)
    named = tuple(f"{row.name} ({_last_reported(row.last)})" for row in late.itertuples())
    scorecard = bureau_view.scorecard(
        inputs.view, measures, goals, fiscal_year_key=fiscal_year_key(inputs.fiscal_year)
    )
    actions = bureau_view.actions_table(inputs.view, goals, updates)
    subsections = [
        Section(
            "Out-of-date measures",
            paragraphs=(
                f"{plural(len(late), 'measure')} had not been updated as often as "
                f"{'its' if len(late) == 1 else 'their'} reporting frequency asks:"
                if len(late)
                else "Every measure had been updated as often as its reporting frequency asks.",
            ),
            items=named,
            key="out-of-date",
        ),
    ]
    if len(scorecard):
        subsections.append(
            Section(
                "Every measure",
                tables=(
                    _table(
                        scorecard.assign(Latest=_with_period(scorecard["Current"], scorecard["Period"]))[
                            ["Measure", "Health", "Latest", "Target"]
                        ],
                        caption=f"The plan's measures as of {_day(inputs.view.as_of)}",
                    ),
                ),
                key="measures",
            )
        )
    if len(actions):
        subsections.append(
            Section(
                "Every action",
                tables=(
                    _table(
                        actions[["Action", "Status", "Complete", "Due", "Latest update"]],
                        caption=f"The plan's actions, with the latest update by {_day(inputs.view.as_of)}",
                        numeric=(2,),
                    ),
                ),
                key="actions",
            )
        )
    return Section(
        "Plan status",
        paragraphs=(
            f"{plan['title']} ({plan['span']}, version {plan['version']}, {plan['status_text'].lower()}).",
            f"How the plan's {plural(int(plan['n_measures']), 'measure')} and "
            f"{plural(int(plan['n_actions']), 'action')} stood at {fy}'s reporting deadline.",
            *_health_lines(plan["health"]),
        ),
        charts=_status_charts(plan["actions"], plan["health"], fy),
        subsections=tuple(subsections),
        key="plan-status",
    )


def _city_status_section(inputs: _Inputs, city: pd.Series, table: pd.DataFrame) -> Section:
    fy = inputs.fy
    health, actions = health_counts(city), action_counts(city)
    late = _out_of_date(inputs, inputs.view.measure_status)
    names = inputs.bureaus.set_index("id")["name"].astype(str)
    late_count = late.groupby("bureau_id").size()
    named = []
    for bureau_id, part in late.groupby("bureau_id", sort=False):
        listed = [
            f"{row.name} ({_last_reported(row.last)})" for row in part.head(OUT_OF_DATE_NAMED).itertuples()
        ]
        if len(part) > len(listed):
            listed.append(f"and {plural(len(part) - len(listed), 'more')}, named in the bureau's own report")
        named.append((f"{names.get(bureau_id, f'Bureau {bureau_id}')}: {len(part):,}", tuple(listed)))
    named.sort(key=lambda term: term[0].casefold())
    ordered = table.sort_values("name", key=lambda column: column.str.casefold())
    reporting = Table(
        caption=f"Who reported for {fy}: each bureau's measures due and reported by the deadline",
        header=("Bureau", "Reporting", "Due measures reported", "Out of date", "Latest value for"),
        rows=tuple(
            (
                str(row.name),
                str(row.Reporting),
                f"{row.measures_reported:,} of {row.measures_due:,}" if row.measures_due else "none due",
                f"{int(late_count.get(row.bureau_id, 0)):,}",
                str(row.last_reported),
            )
            for row in ordered.itertuples()
        ),
        numeric=(2, 3),
    )
    return Section(
        "Plan status",
        paragraphs=(
            f"How the {plural(int(city['n_measures']), 'measure')} and "
            f"{plural(int(city['n_actions']), 'action')} of every bureau's plan in force stood at "
            f"{fy}'s reporting deadline.",
            *_health_lines(health),
        ),
        charts=_status_charts(actions, health, fy),
        subsections=(
            Section(
                "Out-of-date measures",
                paragraphs=(
                    (
                        f"{plural(len(late), 'measure')} in {plural(len(named), 'bureau')} had not been "
                        "updated as often as its reporting frequency asks. Here each bureau says how many, "
                        f"and up to {OUT_OF_DATE_NAMED} are named; its own report names them all."
                    )
                    if len(late)
                    else "Every measure had been updated as often as its reporting frequency asks.",
                ),
                terms=tuple(named),
                key="out-of-date",
            ),
            Section("Who reported", tables=(reporting,), key="reporting"),
        ),
        key="plan-status",
    )


# --- goals --------------------------------------------------------------------------------------------


def _bureau_goals_section(inputs: _Inputs, goals: pd.DataFrame) -> Section:
    if goals.empty:
        return Section("Goals", paragraphs=("The plan has no goals in the tracker yet.",), key="goals")
    table = bureau_view.goal_table(inputs.view, goals, baseline=bool(inputs.baseline))
    return Section(
        "Goals",
        paragraphs=(
            "Each of the plan's goals serves one of the three citywide racial equity goals adopted by "
            "City Council. Progress is the mean of its measures' progress from baseline to target.",
        ),
        tables=(_table(table, caption=f"The plan's goals, {inputs.fy}"),),
        key="goals",
    )


def _city_goals_section(inputs: _Inputs, goals: pd.DataFrame, citywide_goals: pd.DataFrame) -> Section:
    fy = inputs.fy
    grid = city_view.bureau_goal_grid(
        inputs.view, goals=inputs.goals, bureaus=inputs.bureaus, citywide_goals=citywide_goals
    )
    subsections = []
    for goal in goals.itertuples():
        counts = city_view.goal_health(inputs.view, int(goal.id))
        bureaus = int(
            grid.loc[(grid["goal_number"] == goal.number) & (grid["goals"] > 0), "bureau_id"].nunique()
        )
        spread = (
            f"{plural(int(goal.n_goals), 'bureau goal')} of {plural(bureaus, 'bureau')}, "
            f"{plural(int(goal.n_measures), 'measure')} and {plural(int(goal.n_actions), 'action')}."
        )
        lines = [
            str(goal.text),
            spread
            if inputs.baseline
            else f"Progress {goal.progress_text} ({percent(goal.expected_pct)} expected by now) "
            f"across {spread}",
        ]
        if sum(counts.values()):
            lines.append(f"Its measures: {counts_sentence(counts, HEALTH_PHRASES)}.")
        subsections.append(
            Section(
                f"Goal {goal.number} · {goal.short_title}",
                paragraphs=tuple(lines),
                key=f"citywide-goal-{goal.number}",
            )
        )
    if len(grid):
        table = city_view.grid_table(grid)
        subsections.append(
            Section(
                "Each bureau under each citywide goal",
                paragraphs=(
                    "A bureau's progress under a citywide goal is the mean progress of its goals under it; "
                    "a dash means the bureau has no goal there.",
                ),
                tables=(
                    _table(
                        table,
                        caption=f"Progress to target by bureau and citywide goal, {fy}",
                        numeric=tuple(range(1, len(table.columns))),
                        even=True,
                    ),
                ),
                key="bureau-by-goal",
            )
        )
    charts: tuple[ReportChart, ...] = ()
    if len(goals) and not inputs.baseline:
        frame = goals.assign(label=[f"Goal {g.number} · {g.short_title}" for g in goals.itertuples()])
        frame["label"] = escaped(frame["label"])
        title = f"Progress to target by citywide goal, {fy}"
        charts = (
            ReportChart(
                chart=Chart(
                    progress_bars(frame, label="label", x_title="Progress to target (%)"),
                    title,
                    MEASURES_SOURCE,
                ),
                alt="Bar chart of each citywide goal's progress to target: "
                + "; ".join(f"goal {g.number} {g.progress_text}" for g in goals.itertuples())
                + ".",
                table=Table(
                    caption=title,
                    header=("Citywide goal", "Progress", "Expected by now"),
                    rows=tuple(
                        (f"Goal {g.number} · {g.short_title}", g.progress_text, percent(g.expected_pct))
                        for g in goals.itertuples()
                    ),
                    numeric=(1, 2),
                ),
                key="citywide-goals",
            ),
        )
    return Section(
        "Progress by citywide goal",
        paragraphs=(
            "Every bureau goal serves one of the three Citywide Racial Equity Goals that City Council "
            "adopted on 8 July 2015. A citywide goal's progress is the mean progress of the bureau goals "
            "under it.",
        ),
        charts=charts,
        subsections=tuple(subsections),
        key="citywide-goals",
    )


# --- the bureaus' own words -------------------------------------------------------------------------------


def _narrative_terms(report: pd.Series) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A published narrative as (heading, its items): "Highlights" → ("Hired two liaisons.", …)."""
    return tuple((heading, tuple(texts)) for heading, texts in narrative(report))


def _bureau_narrative_section(inputs: _Inputs, name: str, reports: pd.DataFrame) -> Section:
    heading = "In the bureau's own words"
    if reports.empty:
        return Section(
            heading,
            paragraphs=(f"{name} had not published an annual narrative for {inputs.fy}.",),
            key="narrative",
        )
    return Section(
        heading,
        paragraphs=(f"What {name} wrote about {inputs.fy}, as published by the {OFFICE}.",),
        terms=_narrative_terms(reports.iloc[0]),
        key="narrative",
    )


def _city_narratives_section(inputs: _Inputs) -> Section:
    reports = inputs.reports.sort_values("bureau_name", key=lambda names: names.str.casefold(), kind="stable")
    missing = sorted(
        inputs.bureaus.loc[~inputs.bureaus["id"].isin(reports["bureau_id"]), "name"].astype(str),
        key=str.casefold,
    )
    paragraphs = [
        "Each bureau writes its highlights, its challenges and lessons, and its priorities for next year. "
        f"These are the bureaus' own words, as published by the {OFFICE}."
    ]
    if reports.empty:
        paragraphs.append(f"No bureau's narrative for {inputs.fy} had been published.")
    elif missing:
        paragraphs.append(f"No narrative published for {inputs.fy}: {', '.join(missing)}.")
    return Section(
        "In the bureaus' own words",
        paragraphs=tuple(paragraphs),
        subsections=tuple(
            Section(
                str(row["bureau_name"]), terms=_narrative_terms(row), key=f"narrative-{row['bureau_code']}"
            )
            for _, row in reports.iterrows()
        ),
        key="narratives",
    )


# --- figures by race/ethnicity ------------------------------------------------------------------------------

SHARES_UNITS = ("count", "dollars")  # shares of people or dollars; other units are compared as values
CHARTS_AT_MOST = 8  # charts by race in one report: a report to read, not every measure drawn
DEMOGRAPHICS_INTRO = (
    "Figures by race/ethnicity, as published, for the first and the latest period reported by the "
    "deadline: a table for every measure broken down by race/ethnicity, with a chart above it for the "
    f"workforce and contracting shares against the city's residents (up to {CHARTS_AT_MOST}). A share is "
    "of the people (or dollars) whose race/ethnicity is known."
)


def _bureau_demographics_section(inputs: _Inputs, measures: pd.DataFrame, goals: pd.DataFrame) -> Section:
    chosen = measures[measures["goal_id"].isin(goals["id"]) & measures["disaggregated"].astype(bool)]
    ids = chosen["id"].astype(int).tolist()
    shares = inputs.view.group_shares(ids)
    summary = inputs.view.disparity_summary(ids)
    # Drawn: the workforce and contracting shares that the bureau page draws too (representation
    # against the residents), the first few of them; every measure by race/ethnicity has its table.
    drawable = bureau_view.disparity_measures(measures, goals)
    drawn = set(drawable.loc[drawable["unit"].isin(SHARES_UNITS), "id"].astype(int).head(CHARTS_AT_MOST))
    charted, tables, without = [], [], []
    for measure in chosen.to_dict("records"):
        measure_id = int(measure["id"])
        rows = shares[shares["measure_id"] == measure_id]
        if rows.empty:
            without.append(str(measure["name"]))
            continue
        figures = _group_figures(inputs, measure, rows)
        score, change, sentence = bureau_view.score_texts(summary[summary["measure_id"] == measure_id])
        if measure_id in drawn:
            charted.append(
                _charted_measure(
                    figures, f"Equity score: {score}" + (f" ({change})" if change else "") + ". " + sentence
                )
            )
        else:
            tables.append(
                dataclasses.replace(figures.table, caption=f"{figures.table.caption} · equity score: {score}")
            )
    paragraphs = [DEMOGRAPHICS_INTRO] if charted or tables else []
    if not len(chosen):
        paragraphs.append("The plan has no measure broken down by race/ethnicity.")
    if without:
        paragraphs.append(
            f"No figures by race/ethnicity had been published by {_day(inputs.view.as_of)} for: "
            + "; ".join(without)
            + "."
        )
    every_table = [*tables, *(chart.table for section in charted for chart in section.charts)]
    if any(HIDDEN_LABEL in cell for table in every_table for row in table.rows for cell in row):
        paragraphs.append(NOTE)
    if every_table:
        paragraphs.append(bureau_view.SCORE_CAVEAT)
    if tables:
        charted.append(
            Section(
                "Every other measure by race/ethnicity" if charted else "Every measure by race/ethnicity",
                tables=tuple(tables),
                key="demographic-tables",
            )
        )
    return Section(
        "Figures by race/ethnicity",
        paragraphs=tuple(paragraphs),
        subsections=tuple(charted),
        key="demographics",
    )


def _periods(rows: pd.DataFrame, baseline_period_id: object) -> list[tuple[int, str]]:
    """(period id, label) of the first period with group figures (the baseline's, when it has them)
    and the latest (a fiscal year over its fourth quarter); one when they are the same."""
    ordered = rules.latest_period_last(rows.drop_duplicates("period_id"))
    ids = ordered["period_id"].astype(int).tolist()
    labels = dict(zip(ids, ordered["period_label"].astype(str), strict=True))
    baseline = None if baseline_period_id is None or pd.isna(baseline_period_id) else int(baseline_period_id)  # type: ignore[call-overload]
    first = baseline if baseline in labels else ids[0]
    chosen = [first] if first == ids[-1] else [first, ids[-1]]
    return [(period, labels[period]) for period in chosen]


@dataclass(frozen=True)
class _GroupFigures:
    """One measure's figures by race/ethnicity in its first and latest period, as a table and as the
    series of a chart of shares."""

    measure_id: int
    name: str
    span: str  # "FY 2016-17 and FY 2019-20"
    table: Table
    labels: tuple[str, ...]  # the groups, escaped for the chart
    series: tuple  # (name, shares in %, texts, colour) per period, then the benchmark's
    benchmark_name: str | None


def _group_figures(inputs: _Inputs, measure: Mapping, rows: pd.DataFrame) -> _GroupFigures:
    """Shares of people or dollars (beside the benchmark population's), or values (rates,
    percentages), a column a period, hidden figures labelled as such."""
    unit, name = str(measure["unit"]), str(measure["name"])
    shares = unit in SHARES_UNITS
    rows = _named_groups(rows, inputs.groups, shares=shares)
    periods = _periods(rows, measure.get("baseline_period_id"))
    groups = rows.sort_values("order", kind="stable").drop_duplicates("group_id")[["group_id", "group"]]
    columns: list[tuple[str, list[str]]] = []
    series = []
    colours = [PALETTE["grey"], PALETTE["blue"]][-len(periods) :]  # then, and now
    for (period_id, label), colour in zip(periods, colours, strict=True):
        cells = rows[rows["period_id"] == period_id].set_index("group_id").reindex(groups["group_id"])
        hidden = cells["suppressed"].fillna(False).astype(bool).to_numpy()
        figures = (cells["share"] * 100).astype(float).where(~hidden)
        texts = [
            HIDDEN_LABEL if gone else percent(value) for value, gone in zip(figures, hidden, strict=True)
        ]
        series.append((plain(label), figures, texts, colour))
        columns.append((label, _cells(cells, hidden, unit, shares)))
    benchmark_name, benchmark = _benchmark(inputs, measure, groups["group_id"]) if shares else (None, None)
    if benchmark is not None:
        series.append((plain(benchmark_name), benchmark, [percent(v) for v in benchmark], PALETTE["orange"]))
        columns.append((f"Share of {benchmark_name}", [percent(value) for value in benchmark]))
    span = " and ".join(label for _, label in periods)
    title = f"{name if 'race' in name.lower() else f'{name} by race/ethnicity'}, {span}"
    table = Table(
        caption=title,
        header=("Group", *(heading for heading, _ in columns)),
        rows=tuple(
            (str(group), *(cells[row] for _, cells in columns)) for row, group in enumerate(groups["group"])
        ),
        numeric=tuple(range(1, len(columns) + 1)),
        even=True,
    )
    return _GroupFigures(
        measure_id=int(measure["id"]),
        name=name,
        span=span,
        table=table,
        labels=tuple(escaped(groups["group"])),
        series=tuple(series),
        benchmark_name=benchmark_name,
    )


def _charted_measure(figures: _GroupFigures, score_sentence: str) -> Section:
    """A measure's shares as a chart (with its table) under its name, its equity score under the chart."""
    benchmark = figures.benchmark_name
    against = f", beside each group's share of {benchmark}" if benchmark else ""
    chart = ReportChart(
        chart=Chart(
            paired_bars(list(figures.labels), list(figures.series), x_title="Share (%)"),
            figures.table.caption,
            MEASURES_SOURCE + (f"; benchmark: {benchmark}" if benchmark else ""),
        ),
        alt=(
            f"Bar chart of each group's share of “{figures.name}” in {figures.span}{against}. Hidden "
            "figures are marked hidden. The table below gives every figure."
        ),
        table=figures.table,
        notes=(score_sentence,),  # under the chart, so that the measure's name stays with its chart
        key=f"measure-{figures.measure_id}",
    )
    return Section(figures.name, charts=(chart,), key=f"measure-{figures.measure_id}")


def _named_groups(rows: pd.DataFrame, groups: pd.DataFrame, *, shares: bool) -> pd.DataFrame:
    """Group rows with each group's name and order; for shares, without the unknown/declined group
    (a share is of everyone whose race/ethnicity is known)."""
    lookup = groups.set_index("id")
    named = rows.assign(
        is_unknown=rows["group_id"].map(lookup["is_unknown"]).fillna(False).astype(bool),
        order=rows["group_id"].map(lookup["sort_order"]),
        group=rows["group_id"].map(lookup["name"]).astype(str),
    )
    return named[~named["is_unknown"]] if shares else named


def _cells(cells: pd.DataFrame, hidden: np.ndarray, unit: str, shares: bool) -> list[str]:
    """A period's column of the table: "150 (70.8 %)" for a share (the count and its share), the value
    for a rate; "hidden" where the suppression module hid it."""
    return [
        HIDDEN_LABEL
        if gone
        else (
            f"{number(value, unit=unit)} ({percent(share * 100)})"
            if shares and pd.notna(value)
            else number(value, unit=unit)
        )
        for value, share, gone in zip(cells["value"], cells["share"], hidden, strict=True)
    ]


def _benchmark(
    inputs: _Inputs, measure: Mapping, group_ids: pd.Series
) -> tuple[str | None, pd.Series | None]:
    """The measure's benchmark population: its name, and each group's share of it (in %)."""
    benchmark_id = measure.get("benchmark_id")
    if benchmark_id is None or pd.isna(benchmark_id):
        return None, None
    rows = inputs.benchmarks[inputs.benchmarks["benchmark_id"] == int(benchmark_id)]
    if rows.empty:
        return None, None
    return str(rows["benchmark_name"].iloc[0]), rows.set_index("group_id")["share"].reindex(group_ids) * 100


def _city_demographics_section(inputs: _Inputs) -> Section:
    heading = "The city's workforce by race/ethnicity"
    fy, year = inputs.fy, inputs.fiscal_year
    definitions = inputs.view.measures
    grid = workforce_view.workforce_grid(inputs.view, definitions, inputs.groups)
    if grid.empty or year not in workforce_view.years(grid):
        return Section(
            heading,
            paragraphs=(
                f"No bureau had published its headcount by race/ethnicity for {fy} by the reporting "
                "deadline.",
            ),
            key="demographics",
        )
    benchmark = workforce_view.benchmark_name(definitions, inputs.benchmarks)
    city = grid[(grid["fiscal_year"] == year) & (grid["bureau_id"] == 0)]
    year_chart = workforce_charts.city_year_chart(city, fiscal_year_label=fy, benchmark=benchmark)
    over_time = workforce_view.city_over_time(grid)
    never = workforce_view.hidden_every_year(over_time)
    trend_table = _trend_table(over_time)
    hidden_any = bool(grid.loc[grid["bureau_id"] == 0, "suppressed"].any())
    paragraphs = [
        "Every bureau's headcount by race/ethnicity, added up to the city, against the city's residents. "
        "A share is of the employees whose race/ethnicity is known; a representation index of 1.00 is "
        "parity with the residents.",
    ]
    if hidden_any:
        paragraphs.append(NOTE)
    return Section(
        heading,
        paragraphs=tuple(paragraphs),
        charts=(
            ReportChart(
                chart=year_chart,
                alt=f"Bar chart: each group's share of the city's workforce in {fy} beside its share of the "
                "residents. Hidden figures are marked hidden. The table below gives every figure.",
                table=_table(
                    workforce_view.city_year(grid, year), caption=year_chart.title, numeric=(1, 2, 3, 4)
                ),
                key="workforce-year",
            ),
            ReportChart(
                chart=workforce_charts.city_trend_chart(over_time, benchmark=benchmark),
                alt=f"Line chart: each group's share of the city's workforce in each fiscal year up to {fy}."
                + (f" Hidden in every year, so not drawn: {', '.join(never)}." if never else ""),
                table=trend_table,
                key="workforce-trend",
            ),
        ),
        key="demographics",
    )


def _trend_table(over_time: pd.DataFrame) -> Table:
    """Each group's share of the city's workforce by year (a column a year; "hidden" where hidden,
    "—" for a year without it)."""
    shown = over_time.assign(
        text=[
            HIDDEN_LABEL if hidden else percent(share)
            for share, hidden in zip(over_time["share_pct"], over_time["hidden"], strict=True)
        ]
    )
    wide = shown.pivot_table(
        index=["sort_order", "group"], columns="fiscal_year", values="text", aggfunc="first"
    )
    years = sorted(int(year) for year in wide.columns)
    return Table(
        caption="Each group's share of the city's workforce, year by year",
        header=("Group", *(fiscal_year_label(year) for year in years)),
        rows=tuple(
            (str(group), *(_cell(row.get(year)) for year in years))
            for (_, group), row in wide.sort_index().iterrows()
        ),
        numeric=tuple(range(1, len(years) + 1)),
        even=True,
    )


# --- notes on method --------------------------------------------------------------------------------------


def _method(inputs: _Inputs) -> tuple[str, ...]:
    """Short notes on method, in the words of the methodology page (which the report links to)."""
    return (
        as_of_caption(inputs.fiscal_year),
        "Only published figures and narratives are in this report: drafts and figures still under review "
        "are not.",
        "A measure is due for the year when its plan is in force and its baseline and target periods "
        "span the year; it counts as reported when a value for the year's last period (the year itself, "
        "its fourth quarter or June) was in by the deadline.",
        "Health compares a measure's progress from baseline to target with the progress expected by now, "
        "on a straight path from the baseline period to the target period (through any interim target); "
        "a measure not updated as often as its frequency asks is out of date, whatever its last value "
        "said.",
        NOTE,
        "Figures are rounded half up, as shown on the tracker's pages.",
    )


def _methodology_url(site_url: str | None) -> str:
    return f"{site_url.rstrip('/')}/{METHODOLOGY_PATH}" if site_url else f"/{METHODOLOGY_PATH}"


def _demo_note(demo: dict | None) -> str | None:
    if demo is None:
        return None
    return "Demo data — not real City figures. The plans and numbers in this report are made up."


# --- small helpers ----------------------------------------------------------------------------------------


def _day(day: object) -> str:
    stamp = pd.Timestamp(day)
    return f"{stamp.day} {stamp:%B %Y}"


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return f"{float(value):,.1f}"
    return str(value)


def _table(
    frame: pd.DataFrame, *, caption: str, numeric: Sequence[int] = (), row_header: int = 0, even: bool = False
) -> Table:
    """A frame as a :class:`Table` (cells as text; ``row_header`` is the column that names each row,
    moved first)."""
    columns = list(frame.columns)
    if row_header:
        columns.insert(0, columns.pop(row_header))
        moved = {row_header: 0}
        numeric = tuple(moved.get(index, index + 1 if index < row_header else index) for index in numeric)
    data = frame[columns]
    if not numeric:
        numeric = tuple(
            index
            for index, column in enumerate(columns)
            if index and pd.api.types.is_numeric_dtype(data[column])
        )
    return Table(
        caption=caption,
        header=tuple(str(column) for column in columns),
        rows=tuple(tuple(_cell(value) for value in row) for row in data.itertuples(index=False)),
        numeric=tuple(numeric),
        even=even,
    )
