"""The import contract: which sheets and columns a workbook (or a folder of CSVs) must have, and what
each cell may hold. ``docs/import-format.md`` describes the same contract for people.

Owns the shape of a file (sheets, required and optional columns, blank cells, lengths, keys, choices,
dates, repeated keys), checked with pandera schemas so that every bad cell is reported at once with
its sheet, row and column; and the words each choice may be written in ("higher", "Higher is better"
…). What the cells mean against the database (unknown bureaus, units, periods inside the plan, groups
adding up) is checked by :mod:`equity_tracking.importing`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from equity_tracking.models import ActionStatus, Frequency, PlanStatus, Polarity, RbaCategory, Unit
from equity_tracking.plan_admin import CODE, KEY
from equity_tracking.workbook import ROW, CellError

CODE_PATTERN, KEY_PATTERN = CODE, KEY  # one home for what a bureau code and a key may be


def normalized_choice(text: str) -> str:
    """ "Higher is better" → "higher_is_better": how a choice is compared, whatever its spelling."""
    return re.sub(r"[^a-z0-9%$]+", "_", text.strip().casefold()).strip("_")


# The words each choice may be written in, normalized, to the value stored.
POLARITY = {
    **dict.fromkeys(("higher", "higher_is_better", "up", "increase"), Polarity.HIGHER_IS_BETTER),
    **dict.fromkeys(("lower", "lower_is_better", "down", "decrease"), Polarity.LOWER_IS_BETTER),
    **dict.fromkeys(("neutral", "none", "either"), Polarity.NEUTRAL),
}
UNIT = {
    **{member.value: member for member in Unit},
    "%": Unit.PERCENT,
    "percentage": Unit.PERCENT,
    "number": Unit.COUNT,
    "$": Unit.DOLLARS,
    "usd": Unit.DOLLARS,
    "dollar": Unit.DOLLARS,
    "day": Unit.DAYS,
}
FREQUENCY = {
    **{member.value: member for member in Frequency},
    "yearly": Frequency.ANNUAL,
    "annually": Frequency.ANNUAL,
    "fiscal_year": Frequency.ANNUAL,
    "quarter": Frequency.QUARTERLY,
    "month": Frequency.MONTHLY,
}
YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
ACTION_STATUS = {normalized_choice(member.value): member for member in ActionStatus}
RBA = {
    **{member.value: member for member in RbaCategory},
    "is_anyone_better_off": RbaCategory.BETTER_OFF,
}
PLAN_STATUS = {member.value: member for member in PlanStatus}
CITYWIDE_GOALS = {"1": 1, "2": 2, "3": 3}


def choice(text: str | None, words: Mapping[str, object]) -> Any:
    return None if text is None else words.get(normalized_choice(text))


def iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10]) if len(text.strip()) in (10, 19, 25, 26, 32) else None
    except ValueError:
        return None


def iso_instant(text: str) -> dt.datetime | None:
    """An ISO date or date-time; a time without a zone is UTC."""
    try:
        instant = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


# --- the sheets -------------------------------------------------------------------------------------

Rule = Callable[[str], bool]


@dataclass(frozen=True)
class Field:
    """One column: required (the column must be there) and filled (its cells must not be blank)."""

    name: str
    required: bool = True
    filled: bool = False
    max_length: int | None = None
    rule: Rule | None = None
    rule_says: str = ""


def _words(words: Mapping[str, object]) -> Rule:
    return lambda text: normalized_choice(text) in words


def _listed(words: Mapping[str, object]) -> str:
    """The words to suggest: every accepted word but one-letter abbreviations (y, n)."""
    return ", ".join(sorted({key for key in words if not (len(key) == 1 and key.isalpha())})[:12])


KEY_RULE: Rule = lambda text: KEY.fullmatch(text) is not None  # noqa: E731
KEY_SAYS = "Use letters, digits, dots, dashes or underscores only (at most 40), e.g. hiring_rate."
DATE_RULE: Rule = lambda text: iso_date(text) is not None  # noqa: E731
DATE_SAYS = "Write the date as YYYY-MM-DD, e.g. 2021-06-30."


def _key(name: str, *, required: bool = True) -> Field:
    return Field(name, required=required, filled=required, max_length=40, rule=KEY_RULE, rule_says=KEY_SAYS)


def _code(name: str, *, required: bool = True) -> Field:
    return Field(
        name,
        required=required,
        filled=required,
        max_length=8,
        rule=lambda text: CODE.fullmatch(text.upper()) is not None,
        rule_says="A bureau code is one to eight letters or digits, e.g. TR.",
    )


def _choice(name: str, words: dict, *, required: bool = True, filled: bool = True) -> Field:
    return Field(
        name,
        required=required,
        filled=filled,
        rule=_words(words),
        rule_says=f"Write one of: {_listed(words)}.",
    )


def _date(name: str, *, required: bool = True) -> Field:
    return Field(name, required=required, rule=DATE_RULE, rule_says=DATE_SAYS)


def _text(name: str, max_length: int, *, required: bool = True, filled: bool = False) -> Field:
    return Field(name, required=required, filled=filled, max_length=max_length)


@dataclass(frozen=True)
class Sheet:
    name: str
    fields: tuple[Field, ...]
    unique: tuple[str, ...] = ()  # the columns that name a row: no two rows may repeat them
    required: bool = True  # the sheet must be in the file (it may have no rows)

    @property
    def columns(self) -> list[str]:
        return [field.name for field in self.fields]


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "bureaus",
        (_code("code"), _text("name", 200, filled=True), _text("service_area", 200, required=False)),
        unique=("code",),
    ),
    Sheet(
        "goals",
        (
            _code("bureau_code"),
            _key("goal_key"),
            _text("title", 300, filled=True),
            Field(
                "citywide_goal",
                filled=True,
                rule=lambda text: text.strip() in CITYWIDE_GOALS,
                rule_says="Write 1, 2 or 3.",
            ),  # as written: "-1" or "(1)" are not goal 1
            _text("focus_area", 200, filled=True),
            _text("description", 4000, required=False),
            Field(
                "sort_order",
                required=False,
                rule=lambda text: text.isascii() and text.isdigit(),
                rule_says="Write a whole number.",
            ),  # "²" is a digit to str.isdigit, not to int()
        ),
        unique=("bureau_code", "goal_key"),
    ),
    Sheet(
        "actions",
        (
            _code("bureau_code"),
            _key("goal_key"),
            _key("action_key"),
            _text("title", 400, filled=True),
            _text("lead", 200),
            _date("start_date"),
            _date("due_date"),
            _choice("status", ACTION_STATUS),
            _text("description", 4000, required=False),
            _text("percent_complete", 20, required=False),
        ),
        unique=("bureau_code", "goal_key", "action_key"),
    ),
    Sheet(
        "measures",
        (
            _code("bureau_code"),
            _key("goal_key"),
            _key("measure_key"),
            _text("name", 300, filled=True),
            _choice("unit", UNIT),
            _choice("polarity", POLARITY),
            _choice("frequency", FREQUENCY),
            _text("baseline_value", 40),
            _text("baseline_period", 32),
            _text("target_value", 40),
            _text("target_period", 32),
            _choice("disaggregated", YES_NO),
            _choice("rba_category", RBA, required=False, filled=False),
            _text("indicator", 60, required=False),
            _text("data_source", 300, required=False),
            _text("description", 4000, required=False),
            _key("action_key", required=False),
            _text("weight", 20, required=False),
        ),
        unique=("bureau_code", "measure_key"),
    ),
    Sheet(
        "values",
        (
            _code("bureau_code", required=False),
            _key("goal_key", required=False),
            _key("measure_key"),
            _text("period", 32, filled=True),
            _text("group", 120),
            _text("value", 40, filled=True),
            _text("numerator", 40),
            _text("denominator", 40),
            _text("note", 2000),
            _text("source", 300, required=False),
            Field(
                "entered_at",
                required=False,
                rule=lambda t: iso_instant(t) is not None,
                rule_says="Write the time as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+00:00.",
            ),
            Field(
                "published_at",
                required=False,
                rule=lambda t: iso_instant(t) is not None,
                rule_says="Write the time as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+00:00.",
            ),
        ),
    ),
    # Optional sheets, which an export writes so that a round trip keeps everything the pages show.
    Sheet(
        "plans",
        (
            _code("bureau_code"),
            _text("title", 300, filled=True),
            _text("first_fiscal_year", 32, filled=True),
            _text("last_fiscal_year", 32, filled=True),
            _choice("status", PLAN_STATUS, required=False, filled=False),
            Field("version", required=False, rule=str.isdigit, rule_says="Write a whole number, e.g. 1."),
        ),
        unique=("bureau_code",),
        required=False,
    ),
    Sheet(
        "bureau_names",
        (
            _code("bureau_code"),
            _text("name", 200, filled=True),
            _date("valid_from", required=False),
            _date("valid_to", required=False),
        ),
        unique=("bureau_code", "name"),
        required=False,
    ),
    Sheet(
        "interim_targets",
        (
            _code("bureau_code"),
            _key("measure_key"),
            _text("period", 32, filled=True),
            _text("target_value", 40, filled=True),
        ),
        unique=("bureau_code", "measure_key", "period"),
        required=False,
    ),
    Sheet(
        "reporting_cycles",
        (
            _text("fiscal_year", 32, filled=True),
            _date("opens_on"),
            _date("due_on"),
        ),
        unique=("fiscal_year",),
        required=False,
    ),
)
SHEET_NAMES = tuple(sheet.name for sheet in SHEETS)


def check_shapes(sheets: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[CellError]]:
    """The contract's sheets of ``sheets`` (missing optional sheets left out), each checked against
    its schema; every problem is a :class:`CellError`."""
    errors: list[CellError] = []
    found: dict[str, pd.DataFrame] = {}
    for sheet in SHEETS:
        frame = sheets.get(sheet.name)
        if frame is None:
            if sheet.required:
                errors.append(CellError(sheet.name, None, None, _missing_sheet(sheet, sheets)))
            continue
        missing = [field.name for field in sheet.fields if field.required and field.name not in frame.columns]
        if missing:
            errors.append(
                CellError(sheet.name, 1, None, f"The header row lacks the column(s): {', '.join(missing)}.")
            )
            continue
        for field in sheet.fields:  # an optional column left out is a column of blanks
            if field.name not in frame.columns:
                frame = frame.assign(**{field.name: None})
        errors += _schema_errors(sheet, frame)
        found[sheet.name] = frame
    return found, errors


def _missing_sheet(sheet: Sheet, sheets: dict[str, pd.DataFrame]) -> str:
    others = ", ".join(sorted(sheets)) or "none"
    return (
        f"The file has no '{sheet.name}' sheet (or {sheet.name}.csv). It needs these sheets: "
        f"{', '.join(s.name for s in SHEETS if s.required)}; it has: {others}. A sheet may have no rows "
        "but its header."
    )


def _schema(sheet: Sheet) -> pa.DataFrameSchema:
    columns = {}
    for field in sheet.fields:
        checks = []
        if field.max_length:
            limit = field.max_length
            checks.append(
                pa.Check(
                    lambda text, limit=limit: len(text) <= limit,
                    element_wise=True,
                    error=f"This is longer than {limit} characters.",
                )
            )
        if field.rule:
            checks.append(pa.Check(field.rule, element_wise=True, error=field.rule_says))
        columns[field.name] = pa.Column(object, nullable=not field.filled, checks=checks)
    unique = list(sheet.unique) if sheet.unique else None
    return pa.DataFrameSchema(columns, unique=unique, report_duplicates="all")


def _schema_errors(sheet: Sheet, frame: pd.DataFrame) -> list[CellError]:
    try:
        _schema(sheet).validate(frame, lazy=True)
    except SchemaErrors as failed:
        return _cell_errors(sheet, frame, failed.failure_cases)
    return []


def _cell_errors(sheet: Sheet, frame: pd.DataFrame, cases: pd.DataFrame) -> list[CellError]:
    errors: list[CellError] = []
    rows = frame[ROW]
    for case in cases.itertuples(index=False):
        index = case.index
        row = (
            int(rows.loc[index]) if index is not None and not pd.isna(index) and index in rows.index else None
        )
        check = str(case.check)
        if check == "not_nullable":
            errors.append(CellError(sheet.name, row, case.column, "This cell is blank; fill it in."))
        elif "uniqueness" in check or "unique" in check:
            errors.append(
                CellError(
                    sheet.name,
                    row,
                    None,
                    f"Another row has the same {' + '.join(sheet.unique)}; each may appear once.",
                )
            )
        else:
            errors.append(
                CellError(sheet.name, row, None if case.column is None else str(case.column), check)
            )
    return _deduplicated(errors)


def _deduplicated(errors: list[CellError]) -> list[CellError]:
    return list(dict.fromkeys(errors))
