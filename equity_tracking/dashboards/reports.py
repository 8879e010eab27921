"""The bureaus' annual narratives gathered citywide: what each bureau said it achieved, what got in
the way, and what comes next, for one fiscal year. Only published narratives are ever read here."""

from __future__ import annotations

import pandas as pd

from equity_tracking.dashboards.common import NARRATIVE_PARTS, narrative


def narratives_by_bureau(reports: pd.DataFrame) -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    """(bureau code, bureau name, [(heading, texts)]) per bureau with a published narrative, by name."""
    ordered = reports.sort_values("bureau_name", kind="stable")
    return [
        (
            str(row["bureau_code"]),
            str(row["bureau_name"]),
            narrative(row),
        )
        for _, row in ordered.iterrows()
    ]


def without_narrative(reports: pd.DataFrame, bureaus: pd.DataFrame) -> list[str]:
    """Names of the active bureaus with no published narrative for the year."""
    return sorted(bureaus.loc[~bureaus["id"].isin(reports["bureau_id"]), "name"], key=str.casefold)


def narratives_data(reports: pd.DataFrame) -> pd.DataFrame:
    """Every narrative item as data: bureau_code, bureau, fiscal_year, part, item, text."""
    rows = [
        {
            "bureau_code": row["bureau_code"],
            "bureau": row["bureau_name"],
            "fiscal_year": int(row["fiscal_year"]),
            "part": column,
            "item": number,
            "text": text,
        }
        for _, row in reports.iterrows()
        for column, _heading in NARRATIVE_PARTS
        for number, text in enumerate(row[column], start=1)
    ]
    return pd.DataFrame(rows, columns=["bureau_code", "bureau", "fiscal_year", "part", "item", "text"])
