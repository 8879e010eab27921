"""The demo city: a deterministic, clearly fictional dataset for trying the tracker.

Owns ``load_demo``. It fills an *empty* database with the reference framework (citywide goals,
strategies, focus areas, race/ethnicity groups, a benchmark) and a city of bureaus, each with a
five-year racial equity plan (FY 2016-17 to FY 2020-21): goals, actions with dated status updates,
performance measures with baselines, targets and reported values (many broken down by
race/ethnicity), and annual report narratives. It refuses a database that already holds plan data
and never deletes anything.

Rules the rest of the app may rely on:
- same ``seed`` and ``scale`` → identical rows, ids included: all randomness comes from one
  ``random.Random(seed)`` and no row depends on the clock;
- everything is written in one transaction;
- a breakdown by race/ethnicity adds up: for counts and dollars the group values sum to the total
  row (``group_id`` NULL); for percentages every row carries numerator and denominator, and the
  group numerators and denominators sum to the total's;
- the measures show a deliberate mix of progress profiles (on track, behind, at risk, achieved,
  stale, never reported), a couple of bureaus that stopped reporting after FY 2017-18, and a few
  that report every measure on time.

The numbers are invented. The texts are modelled on the kinds of goals, actions and measures that
Portland bureaus wrote in their 2016–2021 plans; no figure is a real City figure and no person named
is real. Rows are written with Core bulk inserts in chunks, with ids assigned here, because
``scale=10`` writes about a million measure values.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, Table, func, select

from equity_tracking import reference as ref
from equity_tracking.models import (
    DEMO_DATA_KEY,
    Action,
    ActionStatus,
    ActionUpdate,
    AnnualReport,
    AppMetadata,
    BenchmarkPopulation,
    BenchmarkShare,
    Bureau,
    BureauGoal,
    BureauName,
    CitywideGoal,
    FocusArea,
    Frequency,
    InterimTarget,
    Measure,
    MeasureValue,
    Plan,
    PlanStatus,
    Polarity,
    RaceGroup,
    RaceGroupMembership,
    RbaCategory,
    ReportingCycle,
    ReportingPeriod,
    ReviewStatus,
    ReviewStep,
    Role,
    Strategy,
    Unit,
    User,
    UserRole,
    cycle_rows,
    goal_strategies,
    table_of,
)
from equity_tracking.periods import Period, fiscal_quarter, fiscal_year, fiscal_year_containing
from equity_tracking.rules import reporting_deadline
from equity_tracking.schema import has_plan_data
from equity_tracking.seed import GROUP_IDS, reference_rows, reset_sequences

DEMO_LABEL = "Demo data — not real City figures"
CHUNK_SIZE = 10_000

FIRST_FY = 2016  # FY 2016-17: the baseline year of every demo measure
LAST_FY = 2020  # FY 2020-21: the target year
INTERIM_FY = 2018  # FY 2018-19: the year of the interim targets
PLAN_START = dt.date(2016, 7, 1)
PLAN_END = dt.date(2021, 6, 30)
# Stale measures and stopped bureaus report nothing after FY 2017-18 (Portland's own 2016 plans
# were not maintained after about two years).
STOPPED_AFTER = dt.date(2018, 6, 30)
COVID_START = dt.date(2020, 3, 15)

# Fixed timestamps instead of "now", so that two loads are identical.
DEMO_ACCOUNTS_CREATED = dt.datetime(2016, 6, 1, 16, 0, tzinfo=dt.UTC)
DEMO_AS_OF = dt.datetime(2021, 12, 1, 12, 0, tzinfo=dt.UTC)

ProgressCallback = Callable[[str, float], None]


class DemoError(ValueError):
    """The demo city cannot be loaded here; the message says why and that nothing changed."""


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each main kind the demo city wrote."""

    bureaus: int
    plans: int
    goals: int
    actions: int
    measures: int
    measure_values: int
    action_updates: int
    users: int


# =============================================================================================
# Templates: the texts people see. Numbers in a template are ranges the generator draws from.
# =============================================================================================


class Breakdown(enum.StrEnum):
    """How a measure's race/ethnicity breakdown is built."""

    PARTS = "parts"  # counts or dollars per group that add up to the total
    RATE = "rate"  # a percentage per group, with numerator and denominator


class Population(enum.StrEnum):
    """Whose make-up a breakdown follows."""

    WORKFORCE = "workforce"
    RESIDENTS = "residents"
    OWNERS = "owners"  # owners of the firms paid under contracts


@dataclass(frozen=True)
class MeasureTemplate:
    name: str
    unit: Unit
    polarity: Polarity
    rba: RbaCategory
    baseline: tuple[float, float]  # the baseline range (for RATE: the total rate in percent)
    change: tuple[float, float]  # how far the target is from the baseline
    source: str
    relative_change: bool = False  # change is a fraction of the baseline (counts, dollars)
    scales_with_size: bool = False  # baseline is for a medium bureau; small ones are smaller
    breakdown: Breakdown | None = None
    population: Population = Population.WORKFORCE
    always_disaggregated: bool = False
    stock: bool = False  # a level, not a flow: quarterly values compare with the annual baseline
    headcount_factor: float | None = None  # PARTS total / RATE denominator as a share of headcount
    poc_factor: float = 1.0  # representation of people of color in this population
    gap: float = 0.0  # how much higher (+) or lower (−) rates for people of color start
    floor: float = 0.0  # the lowest possible value (e.g. 1.0 for a disparity ratio)
    description: str | None = None


@dataclass(frozen=True)
class ActionTemplate:
    title: str
    lead: str


@dataclass(frozen=True)
class GoalTemplate:
    title: str
    description: str
    citywide_goal: int
    strategies: tuple[int, ...]  # the first is always named; others may be added


@dataclass(frozen=True)
class FocusTemplates:
    goals: tuple[GoalTemplate, ...]
    actions: tuple[ActionTemplate, ...]
    measures: tuple[MeasureTemplate, ...]


_HIGHER, _LOWER, _NEUTRAL = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER, Polarity.NEUTRAL
_HOW_MUCH, _HOW_WELL, _BETTER_OFF = RbaCategory.HOW_MUCH, RbaCategory.HOW_WELL, RbaCategory.BETTER_OFF
_HR_SYSTEM = "City human resources information system (SAP), employees on the last day of the period"
_EMPLOYEE_SURVEY = "Bureau employee survey (anonymous; respondents choose their race/ethnicity)"
_PAYMENTS = "City procurement and payment records, prime contracts and subcontracts"

HEADCOUNT = MeasureTemplate(
    "Employees by race/ethnicity",
    Unit.COUNT,
    _NEUTRAL,
    _HOW_MUCH,
    baseline=(1, 1),
    change=(0.02, 0.08),
    relative_change=True,
    source=_HR_SYSTEM,
    breakdown=Breakdown.PARTS,
    always_disaggregated=True,
    stock=True,
    headcount_factor=1.0,
    description="Regular employees (full- and part-time) by self-identified race/ethnicity.",
)

WORKFORCE = FocusTemplates(
    goals=(
        GoalTemplate(
            "Increase the share of employees of color in supervisory roles",
            "Build a pipeline into supervision and management so that the bureau's leaders reflect "
            "the communities it serves.",
            1,
            (2, 4),
        ),
        GoalTemplate(
            "Recruit and hire a workforce that reflects Portland's communities",
            "Reach qualified candidates of color through new channels and remove barriers from every "
            "step of hiring.",
            1,
            (3, 5),
        ),
        GoalTemplate(
            "Retain employees of color by building a workplace where everyone belongs",
            "Understand why employees of color leave, and change the practices that push them out.",
            1,
            (2, 6),
        ),
        GoalTemplate(
            "Remove barriers to promotion and career growth for employees of color",
            "Open training, out-of-class assignments and promotions fairly to everyone.",
            1,
            (3, 6),
        ),
        GoalTemplate(
            "Make hiring fair, consistent and transparent",
            "Use diverse panels, job-related criteria and the same process for every candidate.",
            1,
            (3, 4),
        ),
    ),
    actions=(
        ActionTemplate(
            "Review minimum qualifications of entry-level classifications for barriers not tied to "
            "job duties",
            "HR Business Partner",
        ),
        ActionTemplate("Require a racially diverse panel for every interview", "HR Business Partner"),
        ActionTemplate(
            "Launch a paid internship program with community colleges and culturally specific organizations",
            "Workforce Development Coordinator",
        ),
        ActionTemplate("Hold stay and exit interviews and analyze them by race/ethnicity", "HR Analyst"),
        ActionTemplate(
            "Create a mentoring program for employees who want to become supervisors",
            "Training and Development Manager",
        ),
        ActionTemplate("Post every vacancy in culturally specific media and job boards", "Recruiter"),
        ActionTemplate("Train every hiring manager on bias in selection", "Equity Manager"),
        ActionTemplate("Publish a workforce demographics report every year", "HR Analyst"),
        ActionTemplate(
            "Open out-of-class and rotation assignments to all staff through a posted process",
            "Operations Manager",
        ),
    ),
    measures=(
        HEADCOUNT,
        MeasureTemplate(
            "Supervisors and managers by race/ethnicity",
            Unit.COUNT,
            _NEUTRAL,
            _HOW_MUCH,
            baseline=(1, 1),
            change=(0.03, 0.1),
            relative_change=True,
            source=_HR_SYSTEM,
            breakdown=Breakdown.PARTS,
            stock=True,
            headcount_factor=0.13,
            poc_factor=0.7,
        ),
        MeasureTemplate(
            "Promotion rate",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(3.0, 7.0),
            change=(1.0, 3.0),
            source=_HR_SYSTEM,
            breakdown=Breakdown.RATE,
            headcount_factor=1.0,
            gap=-0.3,
            description="Employees promoted during the year ÷ employees at the start of the year.",
        ),
        MeasureTemplate(
            "Voluntary separation rate",
            Unit.PERCENT,
            _LOWER,
            _BETTER_OFF,
            baseline=(6.0, 12.0),
            change=(1.5, 4.0),
            source=_HR_SYSTEM,
            breakdown=Breakdown.RATE,
            headcount_factor=1.0,
            gap=0.35,
            description="Employees who resigned during the year ÷ average number of employees.",
        ),
        MeasureTemplate(
            "Share of employees of color in supervisory roles",
            Unit.PERCENT,
            _HIGHER,
            _BETTER_OFF,
            baseline=(12.0, 28.0),
            change=(4.0, 9.0),
            source=_HR_SYSTEM,
            stock=True,
        ),
        MeasureTemplate(
            "Share of new hires who are people of color",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(18.0, 34.0),
            change=(5.0, 12.0),
            source="Applicant tracking system (NEOGOV), hires during the period",
        ),
        MeasureTemplate(
            "Share of hiring panels with at least one panelist of color",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(35.0, 65.0),
            change=(20.0, 30.0),
            source="Bureau hiring records",
        ),
        MeasureTemplate(
            "Median days from job posting to offer",
            Unit.DAYS,
            _LOWER,
            _HOW_WELL,
            baseline=(70.0, 120.0),
            change=(15.0, 40.0),
            source="Applicant tracking system (NEOGOV)",
        ),
        MeasureTemplate(
            "Share of employees who feel they belong at work",
            Unit.PERCENT,
            _HIGHER,
            _BETTER_OFF,
            baseline=(55.0, 72.0),
            change=(5.0, 12.0),
            source=_EMPLOYEE_SURVEY,
            breakdown=Breakdown.RATE,
            stock=True,
            headcount_factor=0.6,
            gap=-0.15,
            description="Respondents who agree or strongly agree ÷ respondents to the question.",
        ),
        MeasureTemplate(
            "Share of hiring managers trained in bias-free selection",
            Unit.PERCENT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(10.0, 40.0),
            change=(45.0, 60.0),
            source="Learning management system (CityLearn)",
            stock=True,
        ),
        MeasureTemplate(
            "Interns who are people of color",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(2, 10),
            change=(0.5, 1.5),
            relative_change=True,
            scales_with_size=True,
            source="Internship program records",
        ),
    ),
)

CONTRACTING = FocusTemplates(
    goals=(
        GoalTemplate(
            "Increase contract dollars to certified minority-, women- and emerging-small-business "
            "(D/M/W/ESB) firms",
            "Spend a growing share of the bureau's contract dollars with certified firms, as prime "
            "contractors and as subcontractors.",
            1,
            (4, 6),
        ),
        GoalTemplate(
            "Remove barriers for small and emerging firms in bidding, bonding and payment",
            "Make contracts the right size, pay promptly and help small firms meet bonding and "
            "insurance requirements.",
            1,
            (3, 5),
        ),
        GoalTemplate(
            "Grow prime contracting opportunities for firms owned by people of color",
            "Move certified firms from subcontracts into prime contracts.",
            1,
            (5, 6),
        ),
    ),
    actions=(
        ActionTemplate(
            "Break large contracts into smaller packages suited to emerging firms",
            "Procurement Services Manager",
        ),
        ActionTemplate(
            "Pay subcontractors within 10 days of invoice approval", "Accounts Payable Supervisor"
        ),
        ActionTemplate(
            "Hold quarterly outreach events with associations of contractors of color", "Contracts Manager"
        ),
        ActionTemplate(
            "Set D/M/W/ESB utilization goals for every project over $100,000", "Capital Program Manager"
        ),
        ActionTemplate(
            "Track subcontractor payments by owner race/ethnicity", "Contract Compliance Specialist"
        ),
        ActionTemplate(
            "Offer technical assistance on bonding and insurance to small firms",
            "Business Development Coordinator",
        ),
        ActionTemplate(
            "Publish a 12-month forecast of upcoming contracting opportunities",
            "Procurement Services Manager",
        ),
    ),
    measures=(
        MeasureTemplate(
            "Contract dollars paid by owner race/ethnicity",
            Unit.DOLLARS,
            _NEUTRAL,
            _HOW_MUCH,
            baseline=(1_500_000, 12_000_000),
            change=(0.05, 0.25),
            relative_change=True,
            scales_with_size=True,
            source=_PAYMENTS,
            breakdown=Breakdown.PARTS,
            population=Population.OWNERS,
            always_disaggregated=True,
            description="Dollars paid during the year, by the race/ethnicity of the firm's majority owner.",
        ),
        MeasureTemplate(
            "Share of contract dollars to certified D/M/W/ESB firms",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(8.0, 18.0),
            change=(6.0, 12.0),
            source=_PAYMENTS,
        ),
        MeasureTemplate(
            "Contract awards by owner race/ethnicity",
            Unit.COUNT,
            _NEUTRAL,
            _HOW_MUCH,
            baseline=(20, 120),
            change=(0.05, 0.3),
            relative_change=True,
            scales_with_size=True,
            source=_PAYMENTS,
            breakdown=Breakdown.PARTS,
            population=Population.OWNERS,
        ),
        MeasureTemplate(
            "Certified D/M/W/ESB firms awarded contracts",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(4, 25),
            change=(0.3, 0.8),
            relative_change=True,
            scales_with_size=True,
            source="State certification list (COBID) matched to City contracts",
        ),
        MeasureTemplate(
            "Median days to pay subcontractors",
            Unit.DAYS,
            _LOWER,
            _HOW_WELL,
            baseline=(28.0, 50.0),
            change=(10.0, 25.0),
            source=_PAYMENTS,
        ),
        MeasureTemplate(
            "Share of prime contracts awarded to firms owned by people of color",
            Unit.PERCENT,
            _HIGHER,
            _BETTER_OFF,
            baseline=(2.0, 9.0),
            change=(3.0, 7.0),
            source=_PAYMENTS,
        ),
        MeasureTemplate(
            "Subcontract dollars paid to firms owned by people of color",
            Unit.DOLLARS,
            _HIGHER,
            _BETTER_OFF,
            baseline=(200_000, 2_000_000),
            change=(0.3, 1.0),
            relative_change=True,
            scales_with_size=True,
            source=_PAYMENTS,
        ),
        MeasureTemplate(
            "Bids received per solicitation",
            Unit.RATE,
            _HIGHER,
            _HOW_WELL,
            baseline=(2.0, 4.0),
            change=(0.8, 2.0),
            source="Procurement Services solicitation records",
        ),
    ),
)

COMMUNITY_ACCESS = FocusTemplates(
    goals=(
        GoalTemplate(
            "Provide language access in the top 10 languages",
            "Translate vital documents and offer interpretation in the City's top 10 safe harbor "
            "languages so that residents with limited English can use the bureau's services.",
            2,
            (3, 5),
        ),
        GoalTemplate(
            "Make City services easier to reach for communities of color and immigrant and refugee "
            "communities",
            "Find and remove the barriers that keep people from using the bureau's services.",
            2,
            (1, 3),
        ),
        GoalTemplate(
            "Engage communities of color early in decisions about projects and budgets",
            "Involve the people most affected before decisions are made, and pay them for their time.",
            2,
            (5, 3),
        ),
        GoalTemplate(
            "Co-design programs with culturally specific community organizations",
            "Share decisions and resources with organizations that communities of color trust.",
            3,
            (5, 2),
        ),
        GoalTemplate(
            "Invest first in neighborhoods that past City decisions have harmed",
            "Direct capital and program investment to neighborhoods with many residents of color.",
            3,
            (1, 6),
        ),
        GoalTemplate(
            "Close racial gaps in the results of the bureau's services",
            "Measure who benefits from each service and change the services where results differ.",
            3,
            (4, 6),
        ),
    ),
    actions=(
        ActionTemplate(
            "Translate vital documents into the City's top 10 safe harbor languages",
            "Language Access Coordinator",
        ),
        ActionTemplate(
            "Offer interpretation at every public meeting on request", "Public Involvement Coordinator"
        ),
        ActionTemplate(
            "Contract with culturally specific organizations for community engagement",
            "Community Engagement Manager",
        ),
        ActionTemplate(
            "Apply the Racial Equity Toolkit to the capital improvement plan", "Capital Planning Manager"
        ),
        ActionTemplate(
            "Create a community advisory body with members from communities of color", "Equity Manager"
        ),
        ActionTemplate("Map service levels by neighborhood to find gaps", "GIS Analyst"),
        ActionTemplate(
            "Pay community members for their time on advisory committees", "Community Engagement Manager"
        ),
        ActionTemplate(
            "Train front-line staff to serve customers with limited English proficiency",
            "Customer Service Manager",
        ),
    ),
    measures=(
        MeasureTemplate(
            "Share of residents satisfied with service",
            Unit.PERCENT,
            _HIGHER,
            _BETTER_OFF,
            baseline=(55.0, 72.0),
            change=(5.0, 12.0),
            source="Customer satisfaction survey in six languages",
            breakdown=Breakdown.RATE,
            population=Population.RESIDENTS,
            stock=True,
            gap=-0.15,
            description="Respondents satisfied or very satisfied ÷ respondents, by their race/ethnicity.",
        ),
        MeasureTemplate(
            "Vital documents available in the top 10 languages",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(3, 25),
            change=(1.0, 3.0),
            relative_change=True,
            source="Language Access Program inventory",
            stock=True,
        ),
        MeasureTemplate(
            "Share of interpretation requests fulfilled",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(70.0, 88.0),
            change=(8.0, 11.0),
            source="Language Access Program request log",
        ),
        MeasureTemplate(
            "Engagement participants by race/ethnicity",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(150, 900),
            change=(0.2, 0.6),
            relative_change=True,
            scales_with_size=True,
            source="Sign-in sheets and demographic cards at engagement events",
            breakdown=Breakdown.PARTS,
            population=Population.RESIDENTS,
            poc_factor=1.3,
        ),
        MeasureTemplate(
            "Share of capital investment in neighborhoods with an above-average share of residents of color",
            Unit.PERCENT,
            _HIGHER,
            _BETTER_OFF,
            baseline=(28.0, 42.0),
            change=(6.0, 12.0),
            source="Capital improvement plan, geocoded projects",
        ),
        MeasureTemplate(
            "Grants to culturally specific organizations",
            Unit.DOLLARS,
            _HIGHER,
            _HOW_MUCH,
            baseline=(50_000, 600_000),
            change=(0.3, 1.0),
            relative_change=True,
            scales_with_size=True,
            source="Grant agreements",
        ),
        MeasureTemplate(
            "Service complaints per 1,000 customers",
            Unit.RATE,
            _LOWER,
            _HOW_WELL,
            baseline=(2.0, 6.0),
            change=(0.5, 1.5),
            source="Customer service system",
            stock=True,
        ),
        MeasureTemplate(
            "Program participants by race/ethnicity",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(400, 3000),
            change=(0.1, 0.4),
            relative_change=True,
            scales_with_size=True,
            source="Program registration system",
            breakdown=Breakdown.PARTS,
            population=Population.RESIDENTS,
            stock=True,
            poc_factor=1.2,
            description="People enrolled on the last day of the period.",
        ),
        MeasureTemplate(
            "Average days to resolve service requests in East Portland",
            Unit.DAYS,
            _LOWER,
            _HOW_WELL,
            baseline=(6.0, 18.0),
            change=(2.0, 5.0),
            source="Customer service system",
            stock=True,
        ),
    ),
)

LEADERSHIP = FocusTemplates(
    goals=(
        GoalTemplate(
            "Hold managers accountable for racial equity results",
            "Make racial equity part of every manager's job description and performance review.",
            1,
            (6, 2),
        ),
        GoalTemplate(
            "Build leaders' skill in using racial equity tools",
            "Give every manager the training and coaching to apply the Racial Equity Toolkit.",
            1,
            (3, 2),
        ),
        GoalTemplate(
            "Fund the bureau's racial equity work with dedicated staff and budget",
            "Give the work a permanent home in the bureau's organization chart and budget.",
            2,
            (2, 6),
        ),
    ),
    actions=(
        ActionTemplate(
            "Add racial equity expectations to every manager's performance review", "Bureau Director"
        ),
        ActionTemplate(
            "Require a two-day racial equity leadership training for all managers",
            "Training and Development Manager",
        ),
        ActionTemplate(
            "Create a full-time Equity Manager position reporting to the director", "Bureau Director"
        ),
        ActionTemplate("Apply the Budget Equity Tool to every budget request", "Finance Manager"),
        ActionTemplate(
            "Review equity plan progress at every quarterly leadership team meeting", "Deputy Director"
        ),
        ActionTemplate("Set up peer coaching circles for supervisors leading equity work", "Equity Manager"),
        ActionTemplate(
            "Hold yearly listening sessions between the leadership team and employees of color",
            "Deputy Director",
        ),
    ),
    measures=(
        MeasureTemplate(
            "Share of managers with racial equity goals in their performance review",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(0.0, 20.0),
            change=(60.0, 80.0),
            source="Performance management system",
        ),
        MeasureTemplate(
            "Share of managers who completed racial equity leadership training",
            Unit.PERCENT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(10.0, 40.0),
            change=(40.0, 55.0),
            source="Learning management system (CityLearn)",
            breakdown=Breakdown.RATE,
            stock=True,
            headcount_factor=0.13,
            description="Managers who completed the training ÷ managers, by the managers' race/ethnicity.",
        ),
        MeasureTemplate(
            "Share of budget requests with a completed Budget Equity Tool",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(20.0, 50.0),
            change=(35.0, 50.0),
            source="City Budget Office submissions",
        ),
        MeasureTemplate(
            "Dedicated racial equity staff",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(0, 1),
            change=(1, 3),
            source="Bureau position management",
            stock=True,
            description="Positions whose main duty is racial equity work.",
        ),
        MeasureTemplate(
            "Share of the management team who are people of color",
            Unit.PERCENT,
            _HIGHER,
            _BETTER_OFF,
            baseline=(10.0, 25.0),
            change=(5.0, 10.0),
            source=_HR_SYSTEM,
            stock=True,
        ),
        MeasureTemplate(
            "Budget dedicated to racial equity work",
            Unit.DOLLARS,
            _HIGHER,
            _HOW_MUCH,
            baseline=(20_000, 150_000),
            change=(0.5, 1.5),
            relative_change=True,
            scales_with_size=True,
            source="Adopted budget",
        ),
        MeasureTemplate(
            "Leadership meetings with an equity plan progress report",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(0, 3),
            change=(3, 9),
            source="Leadership team agendas",
        ),
    ),
)

COMMITMENT = FocusTemplates(
    goals=(
        GoalTemplate(
            "Make racial equity a stated priority in the bureau's strategic plan and budget",
            "Name racial equity in the bureau's mission, strategic plan and budget priorities.",
            1,
            (1, 6),
        ),
        GoalTemplate(
            "Give the bureau's Equity Committee a real role in decisions",
            "Charter the committee, give members time to serve and bring it into budget and policy work.",
            2,
            (2, 1),
        ),
        GoalTemplate(
            "Give every employee a shared understanding of racial equity",
            "Train every employee and talk about the plan's progress regularly.",
            1,
            (1, 2),
        ),
    ),
    actions=(
        ActionTemplate("Adopt a bureau racial equity policy statement", "Bureau Director"),
        ActionTemplate("Charter an Equity Committee with members from every division", "Equity Manager"),
        ActionTemplate(
            "Provide Equity 101 training to every employee within their first year",
            "Training and Development Manager",
        ),
        ActionTemplate("Add a racial equity analysis to every Council report", "Policy Analyst"),
        ActionTemplate(
            "Report equity plan progress in the staff newsletter twice a year", "Communications Manager"
        ),
        ActionTemplate("Apply the Racial Equity Toolkit to one major program every year", "Equity Manager"),
        ActionTemplate("Name racial equity in the bureau's mission and strategic plan", "Deputy Director"),
    ),
    measures=(
        MeasureTemplate(
            "Share of employees who completed Equity 101 training",
            Unit.PERCENT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(10.0, 40.0),
            change=(45.0, 58.0),
            source="Learning management system (CityLearn)",
            breakdown=Breakdown.RATE,
            stock=True,
            headcount_factor=1.0,
            description="Employees who completed the course ÷ employees, by race/ethnicity.",
        ),
        MeasureTemplate(
            "Equity Committee meetings held",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(0, 4),
            change=(6, 9),
            source="Equity Committee minutes",
        ),
        MeasureTemplate(
            "Share of Council reports with a racial equity analysis",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(5.0, 30.0),
            change=(40.0, 60.0),
            source="Council agenda items filed by the bureau",
        ),
        MeasureTemplate(
            "Share of employees who say the bureau is committed to racial equity",
            Unit.PERCENT,
            _HIGHER,
            _BETTER_OFF,
            baseline=(45.0, 65.0),
            change=(8.0, 15.0),
            source=_EMPLOYEE_SURVEY,
            breakdown=Breakdown.RATE,
            headcount_factor=0.55,
            gap=-0.2,
            description="Respondents who agree or strongly agree ÷ respondents to the question.",
        ),
        MeasureTemplate(
            "Share of employees serving on the Equity Committee or an equity work group",
            Unit.PERCENT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(1.0, 4.0),
            change=(2.0, 5.0),
            source="Equity Committee roster",
            stock=True,
        ),
        MeasureTemplate(
            "Share of divisions with an equity work plan",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(0.0, 30.0),
            change=(50.0, 70.0),
            source="Equity Manager's log",
        ),
        MeasureTemplate(
            "Racial Equity Toolkit analyses completed",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(0, 3),
            change=(4, 10),
            source="Equity Manager's log",
        ),
    ),
)

DATA_METRICS = FocusTemplates(
    goals=(
        GoalTemplate(
            "Collect and report service and workforce data by race/ethnicity",
            "Follow the City's data standard for race/ethnicity and report every equity measure by group.",
            1,
            (4,),
        ),
        GoalTemplate(
            "Use data to find and close racial disparities in the bureau's services",
            "Analyze who is served and how well, and work with community partners on the gaps found.",
            3,
            (4, 5),
        ),
        GoalTemplate(
            "Share equity data with the community in accessible formats",
            "Publish the bureau's equity measures online, in plain language, on a regular schedule.",
            2,
            (4, 6),
        ),
    ),
    actions=(
        ActionTemplate(
            "Add race/ethnicity fields to the customer intake system, following the City's data standard",
            "Data Analyst",
        ),
        ActionTemplate(
            "Publish an online dashboard of the bureau's equity measures", "Business Intelligence Analyst"
        ),
        ActionTemplate(
            "Set up a data governance group that reviews data quality every quarter", "Data Manager"
        ),
        ActionTemplate(
            "Run a disparity analysis of service delivery every year", "Research and Evaluation Manager"
        ),
        ActionTemplate("Train analysts to disaggregate data and suppress small numbers", "Data Manager"),
        ActionTemplate(
            "Agree on shared equity data definitions with Multnomah County and other partners",
            "Research and Evaluation Manager",
        ),
        ActionTemplate(
            "Survey customers in their preferred language every year", "Research and Evaluation Manager"
        ),
    ),
    measures=(
        MeasureTemplate(
            "Share of service records with race/ethnicity recorded",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(15.0, 50.0),
            change=(30.0, 45.0),
            source="Customer intake system",
            stock=True,
        ),
        MeasureTemplate(
            "Equity measures published on the public dashboard",
            Unit.COUNT,
            _HIGHER,
            _HOW_MUCH,
            baseline=(0, 5),
            change=(8, 20),
            source="Bureau open data page",
            stock=True,
        ),
        MeasureTemplate(
            "Share of equity measures reported on time",
            Unit.PERCENT,
            _HIGHER,
            _HOW_WELL,
            baseline=(30.0, 60.0),
            change=(25.0, 38.0),
            source="Equity Plan Tracker reporting log",
        ),
        MeasureTemplate(
            "Days from period end to publishing equity data",
            Unit.DAYS,
            _LOWER,
            _HOW_WELL,
            baseline=(120.0, 210.0),
            change=(45.0, 100.0),
            source="Equity Plan Tracker reporting log",
        ),
        MeasureTemplate(
            "Disparity ratio in service response times (slowest group to fastest)",
            Unit.RATE,
            _LOWER,
            _BETTER_OFF,
            baseline=(1.3, 2.1),
            change=(0.15, 0.5),
            source="Customer service system, response times by customer race/ethnicity",
            floor=1.0,
        ),
        MeasureTemplate(
            "Customers served by race/ethnicity",
            Unit.COUNT,
            _NEUTRAL,
            _HOW_MUCH,
            baseline=(1000, 8000),
            change=(0.05, 0.2),
            relative_change=True,
            scales_with_size=True,
            source="Customer intake system",
            breakdown=Breakdown.PARTS,
            population=Population.RESIDENTS,
            stock=True,
        ),
    ),
)

TEMPLATES: dict[str, FocusTemplates] = {
    "commitment": COMMITMENT,
    "leadership": LEADERSHIP,
    "workforce": WORKFORCE,
    "community_access": COMMUNITY_ACCESS,
    "contracting": CONTRACTING,
    "data_metrics": DATA_METRICS,
}

# Every bureau gets a workforce goal, and bureau i also gets ROTATION[i % 6], so that across the
# city every focus area and every citywide goal is used whatever the seed.
ROTATION: tuple[tuple[str, int], ...] = (
    ("contracting", 0),
    ("community_access", 0),
    ("community_access", 3),
    ("leadership", 0),
    ("commitment", 0),
    ("data_metrics", 1),
)

NARRATIVES: dict[ActionStatus, tuple[str, ...]] = {
    ActionStatus.NOT_STARTED: (
        "Not started yet; it depends on an earlier action in this plan.",
        "Scheduled to start next fiscal year, once funding is confirmed.",
        "Not started: no staff capacity this period.",
    ),
    ActionStatus.ON_TRACK: (
        "On schedule. The project team met monthly and finished the milestones planned for this period.",
        "Draft reviewed by the Equity Committee; comments are being worked in.",
        "Scope agreed with division managers and a work plan is in place.",
        "Piloted in two divisions; results were shared with the leadership team.",
        "Community partners reviewed the approach, and their feedback improved it.",
        "Steady progress; the next milestone is a recommendation to the director.",
    ),
    ActionStatus.SOME_DISRUPTION: (
        "The lead position was vacant for four months, which slowed the work.",
        "Budget reductions delayed the vendor contract; work resumed once it was signed.",
        "Took longer than planned because the data needed cleaning first.",
        "The budget process pulled staff away for part of the period.",
    ),
    ActionStatus.MAJOR_DISRUPTION: (
        "Stalled after the lead position was cut in the budget; looking for a new owner.",
        "On hold while the labor agreement that covers this work is renegotiated.",
        "Stopped while the bureau reorganized; the new structure has not assigned it yet.",
    ),
    ActionStatus.COMPLETED: (
        "Completed. The final product was shared with the Equity Committee and posted for staff.",
        "Completed and now part of standard operating procedure.",
        "Completed ahead of schedule; lessons learned were shared with other bureaus.",
        "Completed. Results are now tracked through the plan's performance measures.",
    ),
    ActionStatus.DEFERRED: (
        "Deferred to the next five-year plan after budget reductions.",
        "Deferred: the Citywide project this depended on was put on hold.",
    ),
}
COVID_NARRATIVES: dict[ActionStatus, str] = {
    ActionStatus.SOME_DISRUPTION: "Slowed by COVID-19: meetings moved online and in-person outreach stopped.",
    ActionStatus.MAJOR_DISRUPTION: (
        "Paused: the staff involved were redeployed to the COVID-19 emergency response."
    ),
    ActionStatus.DEFERRED: "Deferred by the leadership team to focus on the COVID-19 response.",
}

VALUE_NOTES: tuple[str, ...] = (
    "Preliminary figure; may be revised after the year-end data review.",
    "Source system changed this year; the series may not be fully comparable.",
    "Counted by hand for this period while the reporting system was replaced.",
)
WORKFORCE_NOTES: tuple[str, ...] = (
    "Methodology changed: now counts part-time staff.",
    "Includes seasonal and temporary staff for the first time.",
    "Survey sample was smaller than usual; read small groups with caution.",
)
COVID_VALUE_NOTE = "Services were reduced during COVID-19 closures; not comparable with earlier years."
CORRECTION_NOTES: tuple[str, ...] = (
    "Correction: a data entry error (digits transposed).",
    "Correction: the first figure was for the wrong period.",
    "Correction: updated after the annual data quality review.",
)

HIGHLIGHTS: tuple[str, ...] = (
    "Every manager now has a racial equity goal in their performance review.",
    "The Equity Committee reviewed the budget request with the Budget Equity Tool.",
    "Vital documents are now available in the top 10 languages.",
    "Launched a paid internship program with two culturally specific organizations.",
    "Published the bureau's first workforce demographics report.",
    "Contract dollars to certified D/M/W/ESB firms reached a new high.",
    "Applied the Racial Equity Toolkit to the capital improvement plan for the first time.",
    "{n} employees completed Equity 101 training this year.",
    "The community advisory body met six times and shaped two program changes.",
    "Interpretation is now offered at every public meeting.",
    "Hiring panels now include at least one panelist of color for every recruitment.",
)
CHALLENGES: tuple[str, ...] = (
    "Turnover on the equity team slowed several actions.",
    "Race/ethnicity is still missing from many service records.",
    "Small numbers in some groups make year-to-year changes hard to read.",
    "Budget reductions delayed the internship program.",
    "A hiring freeze limited progress on the workforce goals.",
    "The budget process left little time for equity work in the spring.",
    "Measures were not updated on time because no one owned the data.",
)
COVID_CHALLENGES: tuple[str, ...] = (
    "COVID-19 closures interrupted programs and in-person community engagement.",
    "Staff redeployed to the COVID-19 response had less time for plan actions.",
)
PRIORITIES: tuple[str, ...] = (
    "Finish the remaining actions under the workforce goal.",
    "Report every measure on time, every period.",
    "Expand language access to five more languages.",
    "Bring the Equity Committee into the budget process earlier.",
    "Improve the quality of race/ethnicity data in service records.",
    "Strengthen partnerships with culturally specific organizations.",
    "Set interim targets for the measures that have none.",
)
FINAL_YEAR_PRIORITY = "Start the next five-year racial equity plan with community partners."

# Workforce and contract-owner make-up of a typical bureau (demo figures, in BASE_GROUP_KEYS order).
WORKFORCE_SHARES = (0.012, 0.06, 0.065, 0.065, 0.006, 0.006, 0.72, 0.03, 0.036)
OWNER_SHARES = (0.01, 0.03, 0.03, 0.05, 0.004, 0.003, 0.72, 0.013, 0.14)
SURVEY_DECLINED_SHARE = 0.03
HEADCOUNT_RANGES = {
    ref.SizeClass.LARGE: (500, 1400),
    ref.SizeClass.MEDIUM: (90, 350),
    ref.SizeClass.SMALL: (12, 48),
}
SIZE_MULTIPLIERS = {ref.SizeClass.LARGE: 3.0, ref.SizeClass.MEDIUM: 1.0, ref.SizeClass.SMALL: 0.25}
SURVEY_RESPONDENTS = (250, 1200)

# A measure's progress profile: how its values move from baseline to target.
PROFILE_WEIGHTS = {
    "on_track": 30,
    "behind": 17,
    "at_risk": 15,
    "achieved": 12,
    "stale": 16,
    "never_reported": 10,
}

# =============================================================================================
# Small helpers
# =============================================================================================


def _split(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """Whole numbers adding up to ``total`` in proportion to ``weights`` (largest remainder).

    With ``caps`` no part exceeds its cap (the caller guarantees the caps add up to at least
    ``total``); a part over its cap gives the excess to the parts with room, heaviest first.
    """
    count = len(weights)
    weight_sum = sum(weights)
    if total <= 0:
        return [0] * count
    if weight_sum <= 0:
        weights = list(caps) if caps is not None else [1.0] * count
        weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    parts = [int(share) for share in exact]
    missing = total - sum(parts)
    if missing:
        by_remainder = sorted(range(count), key=lambda i: parts[i] - exact[i])
        for i in by_remainder[:missing]:
            parts[i] += 1
    if caps is not None:
        _respect_caps(parts, weights, caps)
    return parts


def _respect_caps(parts: list[int], weights: Sequence[float], caps: Sequence[int]) -> None:
    excess = 0
    for i, cap in enumerate(caps):
        if parts[i] > cap:
            excess += parts[i] - cap
            parts[i] = cap
    for i in sorted(range(len(parts)), key=lambda i: -weights[i]):
        if not excess:
            break
        moved = min(caps[i] - parts[i], excess)
        if moved > 0:
            parts[i] += moved
            excess -= moved


_PRECISION = {Unit.PERCENT: 1, Unit.DAYS: 1, Unit.RATE: 2, Unit.COUNT: 0, Unit.DOLLARS: 0}


def _round(value: float, unit: Unit) -> float:
    """Round the way the unit is reported; counts and dollars are whole numbers."""
    return float(round(value, _PRECISION[unit]))


def _step(unit: Unit) -> float:
    return 10.0 ** -_PRECISION[unit]


def _clamp(value: float, template: MeasureTemplate) -> float:
    upper = 100.0 if template.unit is Unit.PERCENT else float("inf")
    return min(max(value, template.floor), upper)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def _pick_count(rng: random.Random, low: int, high: int, mode: float) -> int:
    return min(high, int(rng.triangular(low, high + 1, mode + 0.5)))


# =============================================================================================
# The demo city in memory
# =============================================================================================


@dataclass(frozen=True)
class _Density:
    """How rich the plans are. Scale 1 is realistic; scale 10 reaches about a million values."""

    goals_mode: float
    actions_mode: float
    measures_mode: float
    quarterly: float  # chance that a stock measure is reported quarterly
    disaggregated: float  # chance that a measure that can be broken down by race is
    repeat_breakdowns: float  # chance that a repeated measure is one that can be broken down

    @classmethod
    def for_scale(cls, scale: int) -> _Density:
        richness = min(1.0, (scale - 1) / 9)
        return cls(
            goals_mode=4.5 + 2.0 * richness,
            actions_mode=3.0 + 2.5 * richness,
            measures_mode=1.5 + 2.3 * richness,
            quarterly=0.2 + 0.75 * richness,
            disaggregated=0.55 + 0.45 * richness,
            repeat_breakdowns=richness,
        )


@dataclass(frozen=True)
class _PeriodInfo:
    id: int
    period: Period
    fraction: float  # share of the way from the baseline period to the target period

    @property
    def fiscal_year(self) -> int:
        assert self.period.fiscal_year is not None  # the demo reports fiscal years and quarters only
        return self.period.fiscal_year


@dataclass
class _BureauContext:
    id: int
    code: str
    name: str
    service_area: str
    size: ref.SizeClass
    earlier_names: tuple[ref.EarlierName, ...]
    editor_id: int = 0
    headcount: int = 0
    workforce_weights: list[float] = field(default_factory=list)
    workforce_drift: float = 0.0
    stopped: bool = False  # stopped reporting after FY 2017-18
    submitted: bool = False  # FY 2020-21 figures submitted, not yet published
    diligent: bool = False  # reports every measure, every period, on time

    @property
    def size_multiplier(self) -> float:
        return SIZE_MULTIPLIERS[self.size]


# One reported row before ids and bookkeeping: (group id or None, value, numerator, denominator).
_Row = tuple[int | None, float, float | None, float | None]


@dataclass
class _MeasureSpec:
    """What the value generator needs to know about one measure."""

    id: int
    template: MeasureTemplate
    bureau: _BureauContext
    focus: str
    periods: list[_PeriodInfo]  # the periods it reports, baseline first
    disaggregated: bool
    profile: str
    baseline: float = 0.0
    target: float = 0.0
    pace: float = 1.0  # progress per unit of time (1.0 = exactly on the expected line)
    reach_at: float = 0.5  # for "achieved": when the target is reached
    weights: list[float] = field(default_factory=list)  # group make-up at the baseline
    drift: float = 0.0  # yearly growth of the share of people of color
    rate_factors: list[float] = field(default_factory=list)  # RATE: group rate ÷ overall rate
    denominator: int = 0  # RATE: the total denominator at the baseline
    baseline_rows: list[_Row] = field(default_factory=list)  # disaggregated: rows at the baseline


class _DemoCity:
    """Builds every row except the measure values, which are streamed (see ``_ValueWriter``)."""

    def __init__(self, *, scale: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.seed = seed
        self.density = _Density.for_scale(scale)
        self.rows: dict[str, list[dict]] = {}
        self.ids: dict[str, itertools.count] = {}
        self.specs: list[_MeasureSpec] = []
        self.group_ids = GROUP_IDS
        self.benchmark_id = 1
        self.periods: dict[str, _PeriodInfo] = {}
        self.bureaus: list[_BureauContext] = []

    # --- bookkeeping ------------------------------------------------------------------------

    def add(self, table: str, **row: object) -> int:
        """Append a row; give it the table's next id unless it brings its own key."""
        if "id" not in row and table not in _TABLES_WITHOUT_ID:
            row = {"id": next(self.ids.setdefault(table, itertools.count(1))), **row}
        self.rows.setdefault(table, []).append(row)
        return int(row.get("id", 0))  # type: ignore[call-overload]  # ids are ints

    def build(self) -> None:
        self.build_reference()
        self.build_periods()
        self.build_bureaus()
        self.build_users()
        for bureau in self.bureaus:
            self.build_plan(bureau)
        for bureau in self.bureaus:
            self.build_annual_reports(bureau)
        self.add(
            "app_metadata",
            key=DEMO_DATA_KEY,
            value=json.dumps({"seed": self.seed, "scale": self.scale, "label": DEMO_LABEL}),
            updated_at=DEMO_AS_OF,
        )

    # --- reference data ---------------------------------------------------------------------

    def build_reference(self) -> None:
        for table, rows in reference_rows().items():
            for row in rows:
                self.add(table.name, **row)

    def build_periods(self) -> None:
        """The fiscal years of the plans, and the quarters that quarterly measures report."""
        periods = [fiscal_year(year) for year in range(FIRST_FY, LAST_FY + 1)]
        periods += [
            fiscal_quarter(year, q) for year in range(FIRST_FY + 1, LAST_FY + 1) for q in (1, 2, 3, 4)
        ]
        baseline_end = fiscal_year(FIRST_FY).end_date
        span_days = (fiscal_year(LAST_FY).end_date - baseline_end).days
        for number, period in enumerate(sorted(periods, key=Period.sort_key), start=1):
            self.add(
                "periods",
                id=number,
                label=period.label,
                kind=period.kind.value,
                start_date=period.start_date,
                end_date=period.end_date,
                fiscal_year=period.fiscal_year,
                quarter=period.quarter,
            )
            fraction = (period.end_date - baseline_end).days / span_days
            self.periods[period.label] = _PeriodInfo(number, period, fraction)
        for year in range(FIRST_FY, LAST_FY + 1):
            self.add(
                "reporting_cycles",
                fiscal_year=year,
                opens_on=fiscal_year(year).end_date + dt.timedelta(days=1),
                due_on=reporting_deadline(year),
            )

    def period_series(self, frequency: Frequency) -> list[_PeriodInfo]:
        """The baseline year, then every fiscal year (or every quarter after the baseline)."""
        kind = "fiscal_quarter" if frequency is Frequency.QUARTERLY else "fiscal_year"
        baseline = self.periods[fiscal_year(FIRST_FY).label]
        later = [
            info
            for info in self.periods.values()
            if info.period.kind.value == kind and info.fiscal_year > FIRST_FY
        ]
        return [baseline, *sorted(later, key=lambda info: info.period.sort_key())]

    # --- bureaus and users ------------------------------------------------------------------

    def build_bureaus(self) -> None:
        real = list(ref.BUREAUS)
        for number, bureau in enumerate(real, start=1):
            self.bureaus.append(
                _BureauContext(
                    number, bureau.code, bureau.name, bureau.service_area, bureau.size, bureau.earlier_names
                )
            )
        sizes = list(ref.SizeClass)
        for number in range(len(real) + 1, len(real) * self.scale + 1):
            # Synthetic bureaus make larger test cities; their names say that they are not real.
            self.bureaus.append(
                _BureauContext(
                    number,
                    f"Z{number - len(real)}",
                    f"Demo Bureau {number}",
                    ref.SERVICE_AREAS[number % len(ref.SERVICE_AREAS)],
                    self.rng.choices(sizes, weights=(25, 40, 35))[0],
                    (),
                )
            )
        self.choose_reporting_behaviour()
        for context in self.bureaus:
            self.describe_workforce(context)
            self.add(
                "bureaus",
                id=context.id,
                code=context.code,
                name=context.name,
                service_area=context.service_area,
                active=True,
            )
            for earlier in context.earlier_names:
                self.add(
                    "bureau_names",
                    bureau_id=context.id,
                    name=earlier.name,
                    valid_from=earlier.valid_from,
                    valid_to=earlier.valid_to,
                )

    def choose_reporting_behaviour(self) -> None:
        """A couple of bureaus stop reporting after FY 2017-18; a few have FY 2020-21 unpublished; a few
        report every measure on time."""
        # The equity office itself keeps reporting: it is the one asking.
        candidates = [bureau for bureau in self.bureaus if bureau.code != "OE"]
        count = len(self.bureaus)
        stopped = self.rng.sample(candidates, max(2, round(0.08 * count)))
        for bureau in stopped:
            bureau.stopped = True
        reporting = [bureau for bureau in candidates if not bureau.stopped]
        submitted_count = self.rng.randint(2, 3) if self.scale == 1 else max(3, round(0.1 * count))
        for bureau in self.rng.sample(reporting, submitted_count):
            bureau.submitted = True
        # A few bureaus do everything asked of them, so "reported every measure due" is not always 0.
        steady = [bureau for bureau in reporting if not bureau.submitted]
        for bureau in self.rng.sample(steady, max(3, round(0.15 * count))):
            bureau.diligent = True

    def describe_workforce(self, bureau: _BureauContext) -> None:
        low, high = HEADCOUNT_RANGES[bureau.size]
        bureau.headcount = self.rng.randint(low, high)
        bureau.workforce_weights = [share * self.rng.lognormvariate(0, 0.35) for share in WORKFORCE_SHARES]
        bureau.workforce_drift = self.rng.uniform(0.0, 0.06)

    def build_users(self) -> None:
        admin = self.add("users", **_user("demo-admin", "Demo Admin — Alex Placeholder (fictional)"))
        analyst = self.add("users", **_user("demo-analyst", "Demo Analyst — Sam Sample (fictional)"))
        self.add("user_roles", user_id=admin, role=Role.ADMIN.value, bureau_id=None)
        self.add("user_roles", user_id=analyst, role=Role.ANALYST.value, bureau_id=None)
        for bureau in self.bureaus:
            bureau.editor_id = self.add(
                "users",
                **_user(f"demo-editor-{bureau.code.lower()}", f"Demo Editor, {bureau.name} (fictional)"),
            )
            self.add(
                "user_roles", user_id=bureau.editor_id, role=Role.BUREAU_EDITOR.value, bureau_id=bureau.id
            )

    # --- plans, goals, actions --------------------------------------------------------------

    def build_plan(self, bureau: _BureauContext) -> None:
        if bureau.stopped:
            status = PlanStatus.ACTIVE  # never closed out: nobody reported the end
        else:
            status = self.rng.choices([PlanStatus.COMPLETED, PlanStatus.ACTIVE], weights=(4, 1))[0]
        plan_id = self.add(
            "plans",
            bureau_id=bureau.id,
            title=f"{bureau.name} Five-Year Racial Equity Plan 2016–2021",
            first_fiscal_year=FIRST_FY,
            last_fiscal_year=LAST_FY,
            version=1,
            status=status.value,
            adopted_on=dt.date(2016, self.rng.randint(6, 10), self.rng.randint(1, 28)),
        )
        for order, (focus, goal) in enumerate(self.choose_goals(bureau), start=1):
            self.build_goal(bureau, plan_id, order, focus, goal)

    def choose_goals(self, bureau: _BureauContext) -> list[tuple[str, GoalTemplate]]:
        """A workforce goal, the bureau's rotation goal, and a few more, in focus-area order."""
        count = _pick_count(self.rng, 3, 7, self.density.goals_mode)
        workforce = ("workforce", self.rng.randrange(len(WORKFORCE.goals)))
        chosen = [workforce, ROTATION[(bureau.id - 1) % len(ROTATION)]]
        others = [
            (focus, index)
            for focus, templates in TEMPLATES.items()
            for index in range(len(templates.goals))
            if (focus, index) not in chosen
        ]
        # Prefer focus areas the plan does not cover yet; a second goal in an area comes last.
        others = self.rng.sample(others, len(others))
        while len(chosen) < count:
            covered = {focus for focus, _ in chosen}
            pick = next((pair for pair in others if pair[0] not in covered), others[0])
            others.remove(pick)
            chosen.append(pick)
        focus_order = list(TEMPLATES)
        chosen.sort(key=lambda pair: (focus_order.index(pair[0]), pair[1]))
        return [(focus, TEMPLATES[focus].goals[index]) for focus, index in chosen]

    def build_goal(
        self, bureau: _BureauContext, plan_id: int, order: int, focus: str, template: GoalTemplate
    ) -> None:
        key = f"G{order}"
        goal_id = self.add(
            "bureau_goals",
            plan_id=plan_id,
            key=key,
            title=template.title,
            description=template.description,
            citywide_goal_id=template.citywide_goal,
            focus_area_id=next(area.order for area in ref.FOCUS_AREAS if area.key == focus),
            sort_order=order,
        )
        extra = [number for number in range(1, 7) if number not in template.strategies]
        strategies = [
            template.strategies[0],
            *self.rng.sample([*template.strategies[1:], *extra], self.rng.randint(0, 2)),
        ]
        for strategy in sorted(set(strategies)):
            self.add("goal_strategies", goal_id=goal_id, strategy_id=strategy)
        focus_templates = TEMPLATES[focus]
        action_count = _pick_count(self.rng, 2, 6, self.density.actions_mode)
        actions = self.rng.sample(focus_templates.actions, min(action_count, len(focus_templates.actions)))
        used: set[str] = set()
        measure_order = itertools.count(1)
        for number, action in enumerate(actions, start=1):
            action_key = f"{key}-A{number}"
            action_id = self.build_action(bureau, goal_id, action_key, number, action)
            measures = self.choose_measures(focus, number, len(actions) - number, used)
            for measure_number, (measure, name) in enumerate(measures, start=1):
                measure_key = f"{action_key}-M{measure_number}"
                self.build_measure(
                    bureau,
                    goal_id,
                    action_id,
                    measure_key,
                    name or measure.name,
                    next(measure_order),
                    focus,
                    measure,
                )

    def choose_measures(
        self, focus: str, action_number: int, actions_left: int, used: set[str]
    ) -> list[tuple[MeasureTemplate, str | None]]:
        """1–4 measures for an action, with a name not yet used in its goal.

        A workforce goal always counts its employees by race/ethnicity. At scale 1 each action
        leaves enough unused templates for the actions after it; larger (synthetic) cities may
        measure the same thing again under a numbered name.
        """
        pool = TEMPLATES[focus].measures
        wanted = _pick_count(self.rng, 1, 4, self.density.measures_mode)
        chosen = [HEADCOUNT] if focus == "workforce" and action_number == 1 else []
        fresh = [template for template in pool if template.name not in used and template not in chosen]
        room = len(fresh) - (actions_left if self.scale == 1 else 0)
        chosen += self.rng.sample(fresh, max(0, min(wanted - len(chosen), room)))
        if not chosen and fresh:
            chosen.append(self.rng.choice(fresh))
        named: list[tuple[MeasureTemplate, str | None]] = [(template, None) for template in chosen]
        while len(named) < (wanted if self.scale > 1 else 1):
            template = self.rng.choice(self.repeat_pool(pool))
            repeat = next(n for n in itertools.count(2) if f"{template.name} ({n})" not in used)
            name = f"{template.name} ({repeat})"
            named.append((template, name))
            used.add(name)
        used.update(template.name for template in chosen)
        return named

    def repeat_pool(self, pool: Sequence[MeasureTemplate]) -> Sequence[MeasureTemplate]:
        """Templates to measure again: larger cities favour breakdowns by race, the bulk of the data."""
        breakdowns = [template for template in pool if template.breakdown is not None]
        if breakdowns and self.rng.random() < self.density.repeat_breakdowns:
            return breakdowns
        return pool

    def build_action(
        self, bureau: _BureauContext, goal_id: int, key: str, order: int, template: ActionTemplate
    ) -> int:
        start = _add_months(PLAN_START, self.rng.randint(0, 36))
        due = min(_add_months(start, self.rng.randint(6, 42)) - dt.timedelta(days=1), PLAN_END)
        last_report = STOPPED_AFTER if bureau.stopped else PLAN_END
        fate = self.choose_fate(start, due, last_report)
        action_id = next(self.ids.setdefault("actions", itertools.count(1)))
        updates = self.build_updates(bureau, action_id, start, due, last_report, fate)
        self.add(
            "actions",
            id=action_id,
            goal_id=goal_id,
            key=key,
            title=template.title,
            description=None,
            lead=template.lead,
            start_date=start,
            due_date=due,
            # The action's current status is its latest update's.
            status=updates[-1]["status"],
            percent_complete=updates[-1]["percent_complete"],
            sort_order=order,
        )
        for update in updates:
            self.add("action_updates", **update)
        return action_id

    def choose_fate(self, start: dt.date, due: dt.date, last_report: dt.date) -> ActionStatus:
        statuses = list(ActionStatus)  # not_started, on_track, some/major disruption, completed, deferred
        if start > last_report:
            return ActionStatus.NOT_STARTED
        if due <= last_report and last_report == PLAN_END:
            weights = (7, 10, 12, 7, 55, 9)
        elif due <= last_report:
            weights = (3, 8, 10, 6, 65, 8)
        else:
            weights = (10, 45, 25, 12, 0, 8)
        return self.rng.choices(statuses, weights=weights)[0]

    def build_updates(
        self,
        bureau: _BureauContext,
        action_id: int,
        start: dt.date,
        due: dt.date,
        last_report: dt.date,
        fate: ActionStatus,
    ) -> list[dict]:
        first = min(start + dt.timedelta(days=30), last_report)
        last = (
            min(due + dt.timedelta(days=45), last_report) if fate is ActionStatus.COMPLETED else last_report
        )
        last = max(last, first)
        span = (last - first).days
        count = self.rng.randint(1, 5)
        days = sorted(self.rng.sample(range(span + 1), min(count, span + 1)))
        final = self.final_percent(fate)
        updates = []
        for index, offset in enumerate(days):
            is_last = index == len(days) - 1
            percent = final if is_last else 5.0 * round(final * (index + 1) / len(days) / 5)
            status = fate if is_last else self.interim_status(fate, percent)
            day = first + dt.timedelta(days=offset)
            narrative = self.narrative(status, day)  # before the report time: the seed's order of draws
            reported_at = _at(day, 17, self.rng.randrange(60))
            status_now = (
                ReviewStatus.SUBMITTED
                if bureau.submitted and day >= fiscal_year(LAST_FY).start_date
                else ReviewStatus.PUBLISHED
            )
            updates.append(
                {
                    "id": next(self.ids.setdefault("action_updates", itertools.count(1))),
                    "action_id": action_id,
                    "status": status.value,
                    "percent_complete": percent,
                    "narrative": narrative,
                    "author_id": bureau.editor_id,
                    "reported_at": reported_at,
                    "fiscal_year": fiscal_year_containing(day),
                    # A bureau that submitted its last year's figures submitted its updates with them.
                    "review_status": status_now.value,
                    "published_at": reported_at if status_now is ReviewStatus.PUBLISHED else None,
                }
            )
        return updates

    def final_percent(self, fate: ActionStatus) -> float:
        ranges = {
            ActionStatus.NOT_STARTED: (0, 0),
            ActionStatus.ON_TRACK: (50, 95),
            ActionStatus.SOME_DISRUPTION: (25, 75),
            ActionStatus.MAJOR_DISRUPTION: (5, 45),
            ActionStatus.COMPLETED: (100, 100),
            ActionStatus.DEFERRED: (0, 40),
        }
        low, high = ranges[fate]
        return 5.0 * round(self.rng.randint(low, high) / 5)

    def interim_status(self, fate: ActionStatus, percent: float) -> ActionStatus:
        if fate is ActionStatus.NOT_STARTED or percent == 0:
            return ActionStatus.NOT_STARTED
        return ActionStatus.ON_TRACK if self.rng.random() < 0.75 else ActionStatus.SOME_DISRUPTION

    def narrative(self, status: ActionStatus, day: dt.date) -> str:
        if day >= COVID_START and status in COVID_NARRATIVES and self.rng.random() < 0.7:
            return COVID_NARRATIVES[status]
        return self.rng.choice(NARRATIVES[status])

    # --- measures ---------------------------------------------------------------------------

    def build_measure(
        self,
        bureau: _BureauContext,
        goal_id: int,
        action_id: int,
        key: str,
        name: str,
        order: int,
        focus: str,
        template: MeasureTemplate,
    ) -> None:
        frequency = Frequency.ANNUAL
        if template.stock and self.rng.random() < self.density.quarterly:
            frequency = Frequency.QUARTERLY
        disaggregated = template.breakdown is not None and (
            template.always_disaggregated or self.rng.random() < self.density.disaggregated
        )
        spec = _MeasureSpec(
            id=next(self.ids.setdefault("measures", itertools.count(1))),
            template=template,
            bureau=bureau,
            focus=focus,
            periods=self.period_series(frequency),
            disaggregated=disaggregated,
            profile=self.choose_profile(bureau),
        )
        self.set_baseline_and_target(spec)
        self.cut_periods(spec)
        self.specs.append(spec)
        self.add(
            "measures",
            id=spec.id,
            goal_id=goal_id,
            action_id=action_id,
            key=key,
            # Only a measure that is broken down says so in its name.
            name=name
            if disaggregated
            else name.replace(" by race/ethnicity", "").replace(" by owner race/ethnicity", ""),
            description=template.description,
            unit=template.unit.value,
            polarity=template.polarity.value,
            rba_category=template.rba.value,
            frequency=frequency.value,
            baseline_value=spec.baseline,
            baseline_period_id=spec.periods[0].id,
            target_value=spec.target,
            target_period_id=self.periods[fiscal_year(LAST_FY).label].id,
            disaggregated=disaggregated,
            data_source=template.source,
            benchmark_id=self.benchmark_id if focus == "workforce" else None,
            weight=1.0,
            ended_on=None,
            sort_order=order,
            indicator=ref.WORKFORCE_HEADCOUNT if template is HEADCOUNT else None,
        )
        if self.rng.random() < 0.25:
            midpoint = spec.baseline + (spec.target - spec.baseline) / 2
            self.add(
                "interim_targets",
                measure_id=spec.id,
                period_id=self.periods[fiscal_year(INTERIM_FY).label].id,
                value=_round(midpoint, template.unit),
            )

    def choose_profile(self, bureau: _BureauContext) -> str:
        profile = self.rng.choices(list(PROFILE_WEIGHTS), weights=list(PROFILE_WEIGHTS.values()))[0]
        if bureau.stopped and profile != "never_reported":
            return "stale"
        if bureau.diligent and profile in ("stale", "never_reported"):
            return "on_track"
        return profile

    def cut_periods(self, spec: _MeasureSpec) -> None:
        if spec.profile == "never_reported":
            spec.periods = spec.periods[:1]
        elif spec.profile == "stale":
            spec.periods = [info for info in spec.periods if info.period.end_date <= STOPPED_AFTER]
        paces = {
            "on_track": (0.98, 1.1),
            "behind": (0.86, 0.93),
            "at_risk": (-0.3, 0.55),
            "achieved": (1.0, 1.08),  # at or past the target once reached, never short of it
            "stale": (0.3, 1.2),
        }
        spec.pace = self.rng.uniform(*paces.get(spec.profile, (1.0, 1.0)))
        spec.reach_at = self.rng.uniform(0.35, 0.55)

    def set_baseline_and_target(self, spec: _MeasureSpec) -> None:
        template = spec.template
        if spec.disaggregated:
            self.describe_breakdown(spec)
            baseline_rows = _breakdown_rows(spec, spec.periods[0], _baseline_trend(spec, self.rng), self.rng)
            spec.baseline_rows = baseline_rows
            spec.baseline = baseline_rows[-1][1]
        else:
            spec.baseline = _round(self.draw_baseline(spec), template.unit)
        change = self.rng.uniform(*template.change)
        if template.relative_change:
            change *= max(spec.baseline, 1.0)
        direction = {Polarity.HIGHER_IS_BETTER: 1, Polarity.LOWER_IS_BETTER: -1}.get(
            template.polarity, self.rng.choice((1, -1))
        )
        target = _round(_clamp(spec.baseline + direction * change, template), template.unit)
        if target == spec.baseline:
            target = _round(_clamp(spec.baseline + direction * _step(template.unit), template), template.unit)
        if target == spec.baseline:  # at a bound already: the only way is the other way
            target = _round(spec.baseline - direction * _step(template.unit), template.unit)
        spec.target = target

    def draw_baseline(self, spec: _MeasureSpec) -> float:
        template = spec.template
        value = self.rng.uniform(*template.baseline)
        if template.scales_with_size:
            value *= spec.bureau.size_multiplier
        return _clamp(value, template)

    def describe_breakdown(self, spec: _MeasureSpec) -> None:
        """Group make-up, drift and (for rates) each group's rate relative to the whole."""
        template, bureau, rng = spec.template, spec.bureau, self.rng
        if template.population is Population.WORKFORCE:
            base, spec.drift = bureau.workforce_weights, bureau.workforce_drift
        elif template.population is Population.RESIDENTS:
            shares = dict(ref.BENCHMARKS[0].shares)
            base = [shares[key] or SURVEY_DECLINED_SHARE for key in ref.BASE_GROUP_KEYS]
            base = [share * rng.lognormvariate(0, 0.2) for share in base]
        else:
            base, spec.drift = list(OWNER_SHARES), rng.uniform(0.0, 0.1)
        spec.weights = [w * (template.poc_factor if poc else 1.0) for w, poc in zip(base, _POC, strict=True)]
        if template.breakdown is Breakdown.RATE:
            spec.rate_factors = [
                max(0.2, 1 + template.gap * rng.uniform(0.3, 1.5)) if poc else 1.0 for poc in _POC
            ]
            if template.headcount_factor is not None:
                spec.denominator = max(3, round(bureau.headcount * template.headcount_factor))
            else:
                spec.denominator = rng.randint(*SURVEY_RESPONDENTS)

    # --- annual reports ---------------------------------------------------------------------

    def build_annual_reports(self, bureau: _BureauContext) -> None:
        last_year = STOPPED_AFTER.year - 1 if bureau.stopped else LAST_FY
        for year in range(FIRST_FY, last_year + 1):
            submitted = bureau.submitted and year == LAST_FY
            updated_at = _at(fiscal_year(year).end_date + dt.timedelta(days=self.rng.randint(60, 120)), 18)
            self.add(
                "annual_reports",
                bureau_id=bureau.id,
                fiscal_year=year,
                highlights=self.pick_texts(HIGHLIGHTS),
                challenges=self.pick_texts(CHALLENGES + (COVID_CHALLENGES if year >= 2019 else ())),
                priorities=self.pick_texts(PRIORITIES, FINAL_YEAR_PRIORITY if year == LAST_FY else None),
                review_status=(ReviewStatus.SUBMITTED if submitted else ReviewStatus.PUBLISHED).value,
                version=1,
                updated_by_id=bureau.editor_id,
                updated_at=updated_at,
                published_at=None if submitted else updated_at,
            )

    def pick_texts(self, pool: Sequence[str], first: str | None = None) -> list[str]:
        texts = [first] if first else []
        texts += self.rng.sample(pool, self.rng.randint(1, 3 - len(texts)))
        return [item.format(n=self.rng.randint(20, 400)) for item in texts]


def _user(username: str, display_name: str) -> dict:
    return {
        "username": username,
        "display_name": display_name,
        "email": f"{username}@example.org",
        "password_hash": None,  # demo accounts cannot sign in with a password
        "active": True,
        "created_at": DEMO_ACCOUNTS_CREATED,
    }


# =============================================================================================
# Measure values
# =============================================================================================


def _baseline_trend(spec: _MeasureSpec, rng: random.Random) -> float:
    """The total a breakdown starts from: a population size, a dollar amount or a rate."""
    template = spec.template
    if template.breakdown is Breakdown.RATE:
        return rng.uniform(*template.baseline)
    if template.headcount_factor is not None:
        return max(3.0, spec.bureau.headcount * template.headcount_factor)
    value = rng.uniform(*template.baseline)
    return value * spec.bureau.size_multiplier if template.scales_with_size else value


def _trend(spec: _MeasureSpec, info: _PeriodInfo, rng: random.Random) -> float:
    """Where the measure stands in a period, following its profile, with a little noise."""
    span = spec.target - spec.baseline
    fraction = info.fraction
    if spec.profile == "achieved":
        # Reached early and held: no noise once reached, so the latest value meets the target.
        if fraction >= spec.reach_at:
            return spec.baseline + span * spec.pace
        return spec.baseline + span * fraction / spec.reach_at + rng.gauss(0, 0.03 * abs(span))
    noise = 0.02 if spec.profile == "behind" else 0.05
    return spec.baseline + span * spec.pace * fraction + rng.gauss(0, noise * abs(span))


def _group_weights(
    spec: _MeasureSpec, info: _PeriodInfo, poc: Sequence[bool], rng: random.Random
) -> list[float]:
    growth = 1 + spec.drift * 4 * info.fraction  # the plan spans four years after the baseline
    return [
        weight * (growth if is_poc else 1.0) * rng.lognormvariate(0, 0.06)
        for weight, is_poc in zip(spec.weights, poc, strict=True)
    ]


_POC = [key in ref.PEOPLE_OF_COLOR.members for key in ref.BASE_GROUP_KEYS]
_GROUP_IDS = [number for number, group in enumerate(ref.RACE_GROUPS, start=1) if not group.is_rollup]


def _breakdown_rows(spec: _MeasureSpec, info: _PeriodInfo, trend: float, rng: random.Random) -> list[_Row]:
    """Group rows then the total row; they add up exactly (see the module docstring)."""
    weights = _group_weights(spec, info, _POC, rng)
    if spec.template.breakdown is Breakdown.PARTS:
        total = max(0, round(_clamp(trend, spec.template)))
        parts = _split(total, weights)
        rows: list[_Row] = [
            (group, float(part), None, None) for group, part in zip(_GROUP_IDS, parts, strict=True)
        ]
        return [*rows, (None, float(total), None, None)]
    return _rate_rows(spec, info, trend, weights, rng)


def _rate_rows(
    spec: _MeasureSpec, info: _PeriodInfo, trend: float, weights: list[float], rng: random.Random
) -> list[_Row]:
    denominator = max(3, round(spec.denominator * rng.uniform(0.96, 1.04)))
    denominators = _split(denominator, weights)
    rate = _clamp(trend, spec.template) / 100
    events = min(denominator, max(0, round(rate * denominator)))
    # Gaps between groups narrow over the plan (half-way by the end).
    narrowing = 1 - 0.5 * info.fraction
    group_rates = [min(0.98, rate * (1 + (factor - 1) * narrowing)) for factor in spec.rate_factors]
    if events <= denominator / 2:
        weights_for = [den * r for den, r in zip(denominators, group_rates, strict=True)]
        numerators = _split(events, weights_for, denominators)
    else:  # allocate the non-events instead, so no group goes over 100 %
        weights_for = [den * (1 - r) for den, r in zip(denominators, group_rates, strict=True)]
        misses = _split(denominator - events, weights_for, denominators)
        numerators = [den - miss for den, miss in zip(denominators, misses, strict=True)]
    rows: list[_Row] = [
        (group, 100 * num / den, float(num), float(den))
        for group, num, den in zip(_GROUP_IDS, numerators, denominators, strict=True)
        if den > 0  # the schema needs denominator > 0: a group with nobody has no rate
    ]
    return [*rows, (None, 100 * events / denominator, float(events), float(denominator))]


class _ValueWriter:
    """Generates each measure's values and writes them in chunks."""

    def __init__(self, connection: Connection, rng: random.Random) -> None:
        self.connection = connection
        self.rng = rng
        self.ids = itertools.count(1)
        self.buffer: list[dict] = []
        self.written = 0

    def write_measure(self, spec: _MeasureSpec) -> None:
        for info in spec.periods:
            rows = self.rows_for(spec, info)
            self.emit(spec, info, rows)
        if len(self.buffer) >= CHUNK_SIZE:
            self.flush()

    def rows_for(self, spec: _MeasureSpec, info: _PeriodInfo) -> list[_Row]:
        if info is spec.periods[0]:
            return spec.baseline_rows or [(None, spec.baseline, None, None)]
        trend = _trend(spec, info, self.rng)
        if spec.disaggregated:
            return _breakdown_rows(spec, info, trend, self.rng)
        return [(None, _round(_clamp(trend, spec.template), spec.template.unit), None, None)]

    def emit(self, spec: _MeasureSpec, info: _PeriodInfo, rows: list[_Row]) -> None:
        rng = self.rng
        entered_at = _at(info.period.end_date + dt.timedelta(days=rng.randint(15, 75)), rng.randint(15, 23))
        status = ReviewStatus.PUBLISHED
        if spec.bureau.submitted and info.fiscal_year == LAST_FY:
            status = ReviewStatus.SUBMITTED
        note = self.note_for(spec, info) if rng.random() < 0.015 else None
        corrected = not spec.disaggregated and info is not spec.periods[0] and rng.random() < 0.015
        if corrected:
            # Keep the mistaken row and add the correction that replaces it: history is never lost.
            group, value, _, _ = rows[0]
            template, step = spec.template, _step(spec.template.unit)
            wrong = _round(_clamp(value * rng.choice((1.1, 1.2)) + step, template), template.unit)
            if wrong == value:  # at the top of the scale already: the mistake was too low
                wrong = _round(_clamp(value * 0.9 - step, template), template.unit)
            replaced = self.append(spec, info, (group, wrong, None, None), status, entered_at, note, None)
            note = rng.choice(CORRECTION_NOTES)
            entered_at += dt.timedelta(days=rng.randint(20, 60))
            self.append(spec, info, rows[0], status, entered_at, note, replaced)
            return
        for row in rows:
            # A note belongs with the total: it explains the whole figure.
            self.append(spec, info, row, status, entered_at, note if row[0] is None else None, None)

    def note_for(self, spec: _MeasureSpec, info: _PeriodInfo) -> str:
        if info.fiscal_year >= 2019 and self.rng.random() < 0.5:
            return COVID_VALUE_NOTE
        return self.rng.choice(WORKFORCE_NOTES if spec.focus == "workforce" else VALUE_NOTES)

    def append(
        self,
        spec: _MeasureSpec,
        info: _PeriodInfo,
        row: _Row,
        status: ReviewStatus,
        entered_at: dt.datetime,
        note: str | None,
        replaces: int | None,
    ) -> int:
        value_id = next(self.ids)
        group, value, numerator, denominator = row
        self.buffer.append(
            {
                "id": value_id,
                "measure_id": spec.id,
                "period_id": info.id,
                "group_id": group,
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "note": note,
                "source": None,
                "review_status": status.value,
                "entered_by_id": spec.bureau.editor_id,
                "entered_at": entered_at,
                "replaces_id": replaces,
                "published_at": entered_at if status is ReviewStatus.PUBLISHED else None,
            }
        )
        return value_id

    def flush(self) -> None:
        if self.buffer:
            self.connection.execute(table_of(MeasureValue).insert(), self.buffer)
            self.written += len(self.buffer)
            self.buffer = []


# =============================================================================================
# Writing
# =============================================================================================


# Parents before children, so that foreign keys hold after every statement.
_TABLE_ORDER: tuple[Table, ...] = (
    table_of(CitywideGoal),
    table_of(Strategy),
    table_of(FocusArea),
    table_of(RaceGroup),
    table_of(RaceGroupMembership),
    table_of(BenchmarkPopulation),
    table_of(BenchmarkShare),
    table_of(Bureau),
    table_of(BureauName),
    table_of(ReportingPeriod),
    table_of(ReportingCycle),
    table_of(User),
    table_of(UserRole),
    table_of(Plan),
    table_of(BureauGoal),
    goal_strategies,
    table_of(Action),
    table_of(ActionUpdate),
    table_of(Measure),
    table_of(InterimTarget),
)
_LATE_TABLES: tuple[Table, ...] = (table_of(AnnualReport), table_of(AppMetadata))
_TABLES_WITHOUT_ID = frozenset(
    {"race_group_memberships", "benchmark_shares", "goal_strategies", "app_metadata", "reporting_cycles"}
)


def _insert(connection: Connection, table: Table, rows: Sequence[dict]) -> None:
    for start in range(0, len(rows), CHUNK_SIZE):
        connection.execute(table.insert(), rows[start : start + CHUNK_SIZE])


def _write_review_steps(connection: Connection, city: _DemoCity) -> None:
    """A "submitted" review step for each bureau whose last year's work waits for review, so that
    its review history says when it was sent (after its last entry, before the deadline)."""
    submitted_at = _at(fiscal_year(LAST_FY).end_date + dt.timedelta(days=80), 17)
    for bureau in city.bureaus:
        if not bureau.submitted:
            continue
        moved = 0
        for model, ids in cycle_rows(bureau.id, LAST_FY).items():
            table = table_of(model)
            waiting = table.c.id.in_(ids) & (table.c.review_status == ReviewStatus.SUBMITTED.value)
            moved += int(
                connection.execute(select(func.count()).select_from(table).where(waiting)).scalar_one()
            )
        connection.execute(
            table_of(ReviewStep).insert().values(
                bureau_id=bureau.id, fiscal_year=LAST_FY, state="submitted", actor_id=bureau.editor_id,
                at=submitted_at, comment=None, rows_moved=moved,
            )
        )  # fmt: skip


def _report(progress: ProgressCallback | None, step: str, fraction: float) -> None:
    if progress is not None:
        progress(step, fraction)


def _write_values(connection: Connection, city: _DemoCity, progress: ProgressCallback | None) -> int:
    writer = _ValueWriter(connection, city.rng)
    total = len(city.specs)
    milestones = {total * quarter // 4 for quarter in (1, 2, 3)}
    for number, spec in enumerate(city.specs, start=1):
        writer.write_measure(spec)
        if number in milestones:
            _report(
                progress,
                f"Writing measure values ({number:,} of {total:,} measures)",
                0.2 + 0.7 * number / total,
            )
    writer.flush()
    return writer.written


def load_demo(
    engine: Engine,
    *,
    scale: int = 1,
    seed: int = 2016,
    progress: ProgressCallback | None = None,
) -> DemoSummary:
    """Load the demo city into an empty database, in one transaction; refuse a non-empty one.

    ``scale`` multiplies the city (1: the 26 real bureaus, realistic; 10: about a million measure
    values, for load testing). ``progress(step, fraction_done)`` is called at a few steps.
    """
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise DemoError(
            f"The demo scale must be a whole number of at least 1, not {scale!r}. Nothing was changed."
        )
    if has_plan_data(engine):
        raise DemoError(NOT_EMPTY)
    _report(progress, "Building the demo city", 0.0)
    city = _DemoCity(scale=scale, seed=seed)
    city.build()
    with engine.begin() as connection:
        # Checked again inside the transaction, in case another process loaded data meanwhile.
        if connection.execute(select(func.count()).select_from(Bureau.__table__)).scalar_one():
            raise DemoError(NOT_EMPTY)
        _report(progress, "Writing reference data, bureaus, plans, goals, actions and measures", 0.1)
        for table in _TABLE_ORDER:
            _insert(connection, table, city.rows.get(table.name, []))
        _report(progress, "Writing measure values", 0.2)
        value_count = _write_values(connection, city, progress)
        _report(progress, "Writing annual reports", 0.92)
        for table in _LATE_TABLES:
            _insert(connection, table, city.rows.get(table.name, []))
        _write_review_steps(connection, city)
        reset_sequences(connection)
        _report(progress, "Committing", 0.97)
    _report(progress, "Demo city loaded", 1.0)
    return _summary(city, value_count)


NOT_EMPTY = (
    "The database already holds plan data; the demo city is only loaded into an empty database. "
    "Nothing was changed."
)


def _summary(city: _DemoCity, value_count: int) -> DemoSummary:
    def count(table: str) -> int:
        return len(city.rows.get(table, []))

    return DemoSummary(
        bureaus=count("bureaus"),
        plans=count("plans"),
        goals=count("bureau_goals"),
        actions=count("actions"),
        measures=count("measures"),
        measure_values=value_count,
        action_updates=count("action_updates"),
        users=count("users"),
    )
