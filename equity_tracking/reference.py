"""Reference data: the fixed framework every plan hangs on, as plain Python constants.

Owns the facts that no bureau edits and that every database starts from:
- the three Citywide Racial Equity Goals, word for word as City Council adopted them on 8 July 2015
  (Resolution 37144);
- the six overall strategies of the Government Alliance on Race and Equity (GARE);
- the six focus areas of the assessment that preceded the 2016 bureau plans;
- the default race/ethnicity groups (the federal 2024 minimum categories, multiracial and
  unknown/declined) and the "people of color" roll-up;
- Portland's bureaus: two-letter budget codes, service areas, earlier names and a size class;
- a benchmark population to compare a workforce with.

No database code lives here: the demo loader (``equity_tracking.demo``) turns these into rows.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

# --- Citywide Racial Equity Goals -------------------------------------------------------------


@dataclass(frozen=True)
class CitywideGoalRef:
    number: int
    short_title: str
    text: str
    adopted_on: dt.date
    adopted_by: str


_ADOPTED_ON = dt.date(2015, 7, 8)
_ADOPTED_BY = "City Council, Resolution 37144"

CITYWIDE_GOALS: tuple[CitywideGoalRef, ...] = (
    CitywideGoalRef(
        number=1,
        short_title="End disparities in City government",
        text=(
            "We will end racial disparities within city government, so there is fairness in hiring and "
            "promotions, greater opportunities in contracting, and equitable services to all residents."
        ),
        adopted_on=_ADOPTED_ON,
        adopted_by=_ADOPTED_BY,
    ),
    CitywideGoalRef(
        number=2,
        short_title="Strengthen outreach and access",
        text=(
            "We will strengthen outreach, public engagement, and access to City services for communities "
            "of color and immigrant and refugee communities, and support and change existing services "
            "using racial equity best practices."
        ),
        adopted_on=_ADOPTED_ON,
        adopted_by=_ADOPTED_BY,
    ),
    CitywideGoalRef(
        number=3,
        short_title="Collaborate to eliminate inequity",
        text=(
            "We will collaborate with communities and institutions to eliminate racial inequity in all "
            "areas of government, including education, criminal justice, environmental justice, health, "
            "housing, transportation, and economic success."
        ),
        adopted_on=_ADOPTED_ON,
        adopted_by=_ADOPTED_BY,
    ),
)

# --- GARE strategies and focus areas ----------------------------------------------------------


@dataclass(frozen=True)
class StrategyRef:
    number: int
    name: str
    description: str


STRATEGIES: tuple[StrategyRef, ...] = (
    StrategyRef(
        1,
        "Use a racial equity framework",
        "Name racial equity as a goal, understand how institutional and structural racism work, and "
        "share a vision and a vocabulary for the work.",
    ),
    StrategyRef(
        2,
        "Build organizational capacity",
        "Give staff and leaders the skills, time, structures (such as equity committees) and resources "
        "to do the work, and make it part of everyone's job.",
    ),
    StrategyRef(
        3,
        "Implement racial equity tools",
        "Use tools such as the Racial Equity Toolkit and the Budget Equity Tool to bring racial equity "
        "into policies, programs, practices and budget decisions.",
    ),
    StrategyRef(
        4,
        "Be data-driven",
        "Measure results, disaggregate data by race and ethnicity, set targets and track progress so "
        "that decisions rest on evidence.",
    ),
    StrategyRef(
        5,
        "Partner with other institutions and communities",
        "Work with communities of color, community organizations and other public institutions, "
        "because government alone cannot achieve racial equity.",
    ),
    StrategyRef(
        6,
        "Operate with urgency and accountability",
        "Set clear goals and timelines, report progress publicly and hold leaders accountable for results.",
    ),
)


@dataclass(frozen=True)
class FocusAreaRef:
    key: str
    name: str
    description: str
    order: int


FOCUS_AREAS: tuple[FocusAreaRef, ...] = (
    FocusAreaRef(
        "commitment",
        "Organizational commitment",
        "Whether racial equity is a stated, resourced priority of the bureau: policy, plans, an equity "
        "committee and training for every employee.",
        1,
    ),
    FocusAreaRef(
        "leadership",
        "Leadership and management",
        "Whether managers lead the work and are held accountable for racial equity results.",
        2,
    ),
    FocusAreaRef(
        "workforce",
        "Workforce (hiring, retention, promotion)",
        "Whether the bureau's workforce, at every level, reflects the community, and whether hiring, "
        "retention and promotion are fair.",
        3,
    ),
    FocusAreaRef(
        "community_access",
        "Community access and partnership",
        "Whether communities of color and immigrant and refugee communities can reach the bureau's "
        "services and shape its decisions, including through language access and partnerships.",
        4,
    ),
    FocusAreaRef(
        "contracting",
        "Contracting",
        "Whether contract dollars reach certified minority-, women- and emerging-small-business "
        "(D/M/W/ESB) firms and firms owned by people of color.",
        5,
    ),
    FocusAreaRef(
        "data_metrics",
        "Data, metrics and quality improvement",
        "Whether the bureau collects, disaggregates, reports and acts on data about racial equity.",
        6,
    ),
)

# --- Race/ethnicity groups --------------------------------------------------------------------


@dataclass(frozen=True)
class RaceGroupRef:
    key: str
    name: str
    order: int
    is_rollup: bool = False
    members: tuple[str, ...] = ()  # for a roll-up: the keys of the groups it adds up
    is_unknown: bool = False  # records that race/ethnicity is not known


# Shared indicators: measures every bureau reports the same way, which citywide views add up.
WORKFORCE_HEADCOUNT = "workforce_headcount"


_BASE_RACE_GROUPS: tuple[RaceGroupRef, ...] = (
    RaceGroupRef("american_indian_alaska_native", "American Indian or Alaska Native", 1),
    RaceGroupRef("asian", "Asian", 2),
    RaceGroupRef("black_african_american", "Black or African American", 3),
    RaceGroupRef("hispanic_latino", "Hispanic or Latino", 4),
    RaceGroupRef("middle_eastern_north_african", "Middle Eastern or North African", 5),
    RaceGroupRef("native_hawaiian_pacific_islander", "Native Hawaiian or Pacific Islander", 6),
    RaceGroupRef("white", "White", 7),
    RaceGroupRef("multiracial", "Multiracial", 8),
    RaceGroupRef("unknown_declined", "Unknown or declined", 9, is_unknown=True),
)

# "People of color" is every group except White and Unknown/declined: people who did not say are
# not counted on either side.
PEOPLE_OF_COLOR = RaceGroupRef(
    "people_of_color",
    "People of color",
    10,
    is_rollup=True,
    members=tuple(group.key for group in _BASE_RACE_GROUPS if group.key not in {"white", "unknown_declined"}),
)

RACE_GROUPS: tuple[RaceGroupRef, ...] = (*_BASE_RACE_GROUPS, PEOPLE_OF_COLOR)
BASE_GROUP_KEYS: tuple[str, ...] = tuple(group.key for group in _BASE_RACE_GROUPS)

# Other names spreadsheets use for each group (besides its own name and key), matched ignoring case,
# spacing and punctuation: census wording, shorter forms and common older terms.
GROUP_ALIASES: dict[str, tuple[str, ...]] = {
    "american_indian_alaska_native": (
        "American Indian", "Alaska Native", "American Indian/Alaska Native", "AI/AN", "Native American",
        "American Indian and Alaska Native", "Indigenous",
    ),
    "asian": ("Asian American",),
    "black_african_american": ("Black", "African American", "Black/African American"),
    "hispanic_latino": ("Hispanic", "Latino", "Latina", "Latinx", "Latine", "Hispanic/Latino", "Latino/a"),
    "middle_eastern_north_african": (
        "Middle Eastern", "North African", "MENA", "Middle Eastern/North African",
    ),
    "native_hawaiian_pacific_islander": (
        "Native Hawaiian", "Pacific Islander", "NHPI", "Native Hawaiian/Pacific Islander",
        "Native Hawaiian and Other Pacific Islander",
    ),
    "white": ("Caucasian",),
    "multiracial": ("Two or more races", "Multiple races", "Multi-racial", "Mixed race", "2+ races"),
    "unknown_declined": (
        "Unknown", "Declined", "Not reported", "Prefer not to say", "Unknown/declined", "Did not answer",
    ),
    "people_of_color": ("BIPOC", "POC", "People of colour", "Communities of color"),
}  # fmt: skip

# --- Bureaus ----------------------------------------------------------------------------------


class SizeClass(enum.StrEnum):
    """How big a bureau's workforce is; the demo city draws headcounts from it."""

    LARGE = "large"  # several hundred to well over a thousand employees
    MEDIUM = "medium"  # about one to four hundred
    SMALL = "small"  # a few dozen: race/ethnicity counts below 10 are common


@dataclass(frozen=True)
class EarlierName:
    name: str
    valid_to: dt.date  # the last day the bureau used this name
    valid_from: dt.date | None = None


@dataclass(frozen=True)
class BureauRef:
    code: str
    name: str
    service_area: str
    size: SizeClass
    earlier_names: tuple[EarlierName, ...] = ()


# Service areas as Portland's budget grouped bureaus during the 2016–2021 plans.
PUBLIC_SAFETY = "Public Safety"
PARKS_CULTURE = "Parks, Recreation & Culture"
PUBLIC_UTILITIES = "Public Utilities"
COMMUNITY_DEVELOPMENT = "Community Development"
TRANSPORTATION = "Transportation & Parking"
ADMINISTRATION = "Legislative, Administrative & Support Services"
ELECTED = "Elected Officials"

_L, _M, _S = SizeClass.LARGE, SizeClass.MEDIUM, SizeClass.SMALL

BUREAUS: tuple[BureauRef, ...] = (
    BureauRef("WA", "Portland Water Bureau", PUBLIC_UTILITIES, _L),
    BureauRef("ES", "Bureau of Environmental Services", PUBLIC_UTILITIES, _L),
    BureauRef("TR", "Portland Bureau of Transportation", TRANSPORTATION, _L),
    BureauRef("PK", "Portland Parks & Recreation", PARKS_CULTURE, _L),
    BureauRef("CH", "Portland Children's Levy", PARKS_CULTURE, _S),
    BureauRef("PL", "Portland Police Bureau", PUBLIC_SAFETY, _L),
    BureauRef("FR", "Portland Fire & Rescue", PUBLIC_SAFETY, _L),
    BureauRef("EC", "Bureau of Emergency Communications", PUBLIC_SAFETY, _M),
    BureauRef("EM", "Portland Bureau of Emergency Management", PUBLIC_SAFETY, _S),
    BureauRef("FP", "Fire & Police Disability & Retirement", PUBLIC_SAFETY, _S),
    BureauRef("HC", "Portland Housing Bureau", COMMUNITY_DEVELOPMENT, _M),
    BureauRef("DS", "Bureau of Development Services", COMMUNITY_DEVELOPMENT, _M),
    BureauRef("PN", "Bureau of Planning and Sustainability", COMMUNITY_DEVELOPMENT, _M),
    BureauRef(
        "CL",
        "Office of Community & Civic Life",
        COMMUNITY_DEVELOPMENT,
        _M,
        # Council renamed the bureau by ordinance on 18 July 2018.
        (EarlierName("Office of Neighborhood Involvement", valid_to=dt.date(2018, 7, 17)),),
    ),
    BureauRef(
        "PP",
        "Prosper Portland",
        COMMUNITY_DEVELOPMENT,
        _M,
        # The agency's board adopted the new name in May 2017.
        (EarlierName("Portland Development Commission", valid_to=dt.date(2017, 5, 9)),),
    ),
    BureauRef("OE", "Office of Equity and Human Rights", ADMINISTRATION, _S),
    BureauRef("MF", "Office of Management and Finance", ADMINISTRATION, _L),
    BureauRef("HR", "Bureau of Human Resources", ADMINISTRATION, _M),
    BureauRef("TS", "Bureau of Technology Services", ADMINISTRATION, _M),
    BureauRef("RV", "Revenue Division", ADMINISTRATION, _M),
    BureauRef("BO", "City Budget Office", ADMINISTRATION, _S),
    BureauRef("GR", "Office of Government Relations", ADMINISTRATION, _S),
    BureauRef("CT", "Office for Community Technology", ADMINISTRATION, _S),
    BureauRef("AT", "Office of the City Attorney", ADMINISTRATION, _S),
    BureauRef("AU", "Office of the City Auditor", ELECTED, _S),
    BureauRef("MY", "Office of the Mayor", ELECTED, _S),
)

SERVICE_AREAS: tuple[str, ...] = (
    PUBLIC_SAFETY,
    PARKS_CULTURE,
    PUBLIC_UTILITIES,
    COMMUNITY_DEVELOPMENT,
    TRANSPORTATION,
    ADMINISTRATION,
    ELECTED,
)

# --- Benchmark populations --------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkRef:
    key: str
    name: str
    source: str
    year: int
    shares: tuple[tuple[str, float], ...]  # (race group key, share 0–1) for every base group

    def share_of(self, group_key: str) -> float:
        return dict(self.shares)[group_key]


BENCHMARKS: tuple[BenchmarkRef, ...] = (
    BenchmarkRef(
        key="portland_residents",
        name="City of Portland residents",
        source="Approximate shares, demo only — modelled on the American Community Survey",
        year=2019,
        # In the order of BASE_GROUP_KEYS; the shares add up to exactly 1.0.
        shares=(
            ("american_indian_alaska_native", 0.008),
            ("asian", 0.082),
            ("black_african_american", 0.057),
            ("hispanic_latino", 0.099),
            ("middle_eastern_north_african", 0.010),
            ("native_hawaiian_pacific_islander", 0.006),
            ("white", 0.700),
            ("multiracial", 0.038),
            ("unknown_declined", 0.0),
        ),
    ),
)
