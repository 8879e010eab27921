"""How each public page opens: two sentences in plain words on what it shows, and what it cannot tell
you (its caveats). One place for every page's words, so that they are reviewed, and later translated,
together (``ui.page_intro`` shows them, with the date of the last update)."""

from __future__ import annotations

from dataclasses import dataclass

from equity_tracking.suppression import THRESHOLD

CAVEATS_TITLE = "What this page cannot tell you"
REPORTED = (
    "The figures are what the bureaus report. The Office of Equity and Human Rights reviews them before "
    "publishing them, but does not measure them itself."
)
SMALL_GROUPS = (
    f"Groups of fewer than {THRESHOLD} people are hidden to protect privacy, and so is any figure that "
    'would give them away: those figures read "hidden".'
)
HIGH_SCORE = "A high score can mean that every group is doing equally badly."


@dataclass(frozen=True)
class Intro:
    """A page's opening: ``summary`` (two sentences) and ``caveats`` (one sentence each)."""

    summary: str
    caveats: tuple[str, ...]


HOME = Intro(
    summary=(
        "This page shows how the City of Portland's bureaus are doing on their racial equity plans, goal "
        "by goal and bureau by bureau. Choose a fiscal year to see the plans as they stood when that "
        "year's reports were due."
    ),
    caveats=(
        REPORTED,
        "Progress is an average, so one strong measure can hide a weak one: open a goal or a bureau for "
        "the details.",
        "A bureau that has stopped reporting shows as out of date, never as on track.",
    ),
)

GOAL = Intro(
    summary=(
        "This page follows one of the three Citywide Racial Equity Goals that City Council adopted in "
        "2015. It shows how far the bureau goals under it have come, and which bureaus carry it."
    ),
    caveats=(
        REPORTED,
        "The goal's progress is the mean of its bureau goals, so a bureau with more goals weighs more.",
        "Progress says how far a measure has moved toward its target, not whether the target was ambitious.",
    ),
)

BUREAU = Intro(
    summary=(
        "This page shows one bureau's racial equity plan: its goals, its actions, its measures and what it "
        "said about its year. Where a measure counts people by race/ethnicity, it also compares the "
        "groups with the city's residents."
    ),
    caveats=(REPORTED, HIGH_SCORE, SMALL_GROUPS),
)

MEASURE = Intro(
    summary=(
        "This page shows one performance measure of a bureau's plan: where it started, where it is now and "
        "where it is meant to be. It also lists every published value, with the bureau's notes."
    ),
    caveats=(
        REPORTED,
        "A forecast is a straight line through recent values, not a promise.",
        SMALL_GROUPS,
    ),
)

COMPARE = Intro(
    summary=(
        "This page puts bureaus side by side on one area of their plans, or on one measure that several "
        "bureaus report. It ranks them by their progress toward their own targets."
    ),
    caveats=(
        REPORTED,
        "Each bureau sets its own targets, so a bureau further along may simply have aimed lower.",
        "Two bureaus' measures with the same name may still be counted in different ways.",
    ),
)

WORKFORCE = Intro(
    summary=(
        "This page compares each race/ethnicity group's share of the City's workforce, and of each "
        "bureau's, with its share of the city's residents. It adds up the headcounts that the bureaus "
        "report."
    ),
    caveats=(
        "The headcounts are what the bureaus report; a bureau that has not reported is left out of the "
        "city's total.",
        "The comparison is with all residents, not with the people qualified for, or applying to, the jobs.",
        SMALL_GROUPS,
    ),
)

REPORTS = Intro(
    summary=(
        "Each year every bureau writes what went well, what got in the way and what it will do next. These "
        "are the bureaus' own words, as published by the Office of Equity and Human Rights."
    ),
    caveats=(
        "The reports are the bureaus' own words: the Office of Equity and Human Rights publishes them but "
        "does not check every claim in them.",
        "A bureau without a published report may still have reported its figures: see its own page.",
    ),
)

METHODOLOGY = Intro(
    summary=(
        "This page explains, in plain language, how the tracker judges every number it shows. It also says "
        "what each field means, and lists the terms the pages use."
    ),
    caveats=(
        "The tracker judges what the bureaus report; it cannot check how each bureau counted.",
        HIGH_SCORE,
        SMALL_GROUPS,
    ),
)
