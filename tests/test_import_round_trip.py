"""An export imported into an empty database gives the same figures, and imported into the database
it came from changes nothing (issue #10). The golden city (tests/golden_city.py) is the source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from equity_tracking import exporting, importing, reads
from equity_tracking.models import AuditEntry, MeasureValue
from equity_tracking.permissions import OPERATOR, Viewer

PUBLIC = Viewer()


def _public_figures(engine) -> pd.DataFrame:
    """Each published figure by bureau, measure, period and group name (0: the total)."""
    values = reads.measure_value_frame(engine, viewer=PUBLIC)
    measures = reads.measure_definitions(engine, viewer=PUBLIC)[["measure_id", "key", "bureau_id"]]
    bureaus = reads.bureaus(engine)[["id", "code"]].rename(columns={"id": "bureau_id"})
    groups = reads.race_groups(engine)[["id", "name"]].rename(columns={"id": "group_id"})
    named = values.merge(measures, on="measure_id").merge(bureaus, on="bureau_id")
    named = named.merge(groups, on="group_id", how="left")
    named["name"] = named["name"].fillna("Total")
    named["period_label"] = named["period_label"].astype(str)
    frame = named[["code", "key", "period_label", "name", "value", "numerator", "denominator"]]
    return frame.sort_values(["code", "key", "period_label", "name"]).reset_index(drop=True)


def _public_measures(engine) -> pd.DataFrame:
    """What the pages judge each public measure by, by bureau and measure key."""
    measures = reads.measure_definitions(engine, viewer=PUBLIC)
    bureaus = reads.bureaus(engine)[["id", "code"]].rename(columns={"id": "bureau_id"})
    columns = ["code", "key", "name", "unit", "polarity", "frequency", "disaggregated", "weight",
               "baseline_value", "baseline_period", "target_value", "target_period", "indicator"]  # fmt: skip
    frame = measures.merge(bureaus, on="bureau_id")[columns]
    return frame.sort_values(["code", "key"]).reset_index(drop=True)


@pytest.mark.parametrize("suffix", [".xlsx", ""])
def test_an_export_imported_into_an_empty_database_gives_the_same_figures(
    golden_engine, engine, tmp_path, suffix
):
    path = tmp_path / f"export{suffix}"
    exporting.export_path(golden_engine, path, viewer=PUBLIC)
    result = importing.import_path(engine, path, actor=OPERATOR, publish=True)
    assert result.values_added > 0
    copied, source = _public_figures(engine), _public_figures(golden_engine)
    pd.testing.assert_frame_equal(copied, source, check_dtype=False)
    pd.testing.assert_frame_equal(
        _public_measures(engine), _public_measures(golden_engine), check_dtype=False
    )
    # One figure by hand (tests/golden_city.py): AA's M1 for FY 2018-19 is 25.0 after its correction.
    m1 = copied[(copied["code"] == "AA") & (copied["key"] == "M1") & (copied["period_label"] == "FY 2018-19")]
    assert m1["value"].tolist() == [25.0]
    # Unpublished work never leaves in the public's export: M1's FY 2020-21 (only submitted).
    assert copied[(copied["key"] == "M1") & (copied["period_label"] == "FY 2020-21")].empty


def test_an_export_imported_back_into_its_own_database_changes_nothing(golden_engine, tmp_path):
    path = tmp_path / "export.xlsx"
    exporting.export_path(golden_engine, path, viewer=PUBLIC)

    def counts() -> tuple[int, int]:
        with golden_engine.connect() as connection:
            return (
                connection.execute(select(func.count()).select_from(MeasureValue)).scalar_one(),
                connection.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
            )

    before = counts()
    result = importing.import_path(golden_engine, path, actor=OPERATOR, dry_run=True)
    assert not result.changes_anything, result.summary()
    assert counts() == before


def test_the_command_line_exports_and_imports(golden_engine, engine, tmp_path: Path):
    from equity_tracking.cli import main

    folder = tmp_path / "csv"
    assert (
        main(
            [
                "--database-url",
                str(golden_engine.url.render_as_string(hide_password=False)),
                "export",
                str(folder),
            ]
        )
        == 0
    )
    assert (folder / "values.csv").exists()
    assert (folder / "measures.csv").exists()
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "import", str(folder), "--dry-run"]) == 0
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(MeasureValue)).scalar_one() == 0
    assert main(["--database-url", url, "import", str(folder), "--publish"]) == 0
    pd.testing.assert_frame_equal(_public_figures(engine), _public_figures(golden_engine), check_dtype=False)


def test_the_import_page_export_is_the_public_export_and_imports_back_unchanged(golden_engine):
    from equity_tracking.dashboards import import_page

    data = import_page.export_bytes(golden_engine)
    result = importing.import_files(golden_engine, {"published.xlsx": data}, actor=OPERATOR, dry_run=True)
    assert not result.changes_anything, result.summary()
    sheets = importing.read_files({"published.xlsx": data})
    # The golden city's published figures of M1 (tests/golden_city.py): FY 2016-17 to FY 2019-20, not
    # FY 2020-21 (only submitted).
    m1 = sheets["values"][(sheets["values"]["measure_key"] == "M1") & sheets["values"]["group"].isna()]
    assert sorted(m1["period"]) == ["FY 2016-17", "FY 2017-18", "FY 2017-18 Q4", "FY 2018-19", "FY 2019-20"]
