"""The "download everything published" bundle (equity_tracking.open_data.bundle_zip) and its
command, on the golden city (tests/golden_city.py): unzipped, each CSV read back with pandas, and
the figures checked against the ones worked out by hand there.

The bundle's measures are judged as the pages open: FY 2020-21, whose reports were due on
30 September 2021; by then M1 last reported 28.0 (FY 2019-20) and M3, M4 and M5 had missed a year,
so all four are out of date, and M2 is tracked, not judged.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from sqlalchemy import Engine

from equity_tracking import cli, dictionary, downloads, open_data, suppression

MADE = dt.datetime(2026, 1, 2, 18, 30, tzinfo=dt.UTC)  # 10:30 in Portland


@pytest.fixture(scope="module")
def bundle(golden_engine: Engine) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(open_data.bundle_zip(golden_engine, now=MADE)))


def _read(bundle: zipfile.ZipFile, name: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(bundle.read(name)), encoding="utf-8-sig", keep_default_na=False)


def test_the_bundle_holds_a_csv_per_dataset_the_dictionary_and_a_readme(bundle):
    assert bundle.namelist() == [
        "README.txt", "goals.csv", "bureaus.csv", "plans.csv", "bureau_goals.csv", "measures.csv",
        "values.csv", "columns.csv", "data-dictionary.csv",
    ]  # fmt: skip


def test_the_readme_says_source_when_the_suppression_rule_and_the_terms(bundle):
    readme = bundle.read("README.txt").decode("utf-8")
    assert f"Source: {downloads.SOURCE}." in readme
    assert "As of: 2026-01-02 10:30 (America/Los_Angeles)" in readme
    assert "reporting deadline of 2021-09-30" in readme
    assert suppression.NOTE in readme
    assert open_data.TERMS in readme
    assert "values.csv" in readme


def test_values_every_measure_every_fiscal_year_suppressed(bundle):
    values = _read(bundle, "values.csv")
    assert sorted(set(values["measure_id"])) == [1, 2, 3, 4, 5]  # never M6 (a draft plan's)
    m1 = values[values["measure_id"] == 1]
    assert list(m1["period"]) == ["FY 2016-17", "FY 2017-18 Q4", "FY 2017-18", "FY 2018-19", "FY 2019-20"]
    assert list(m1["value"].astype(float)) == [20.0, 21.0, 22.0, 25.0, 28.0]  # never 29.0 (submitted)
    assert set(m1["group"]) == {"All"}
    m2 = values[(values["measure_id"] == 2) & (values["fiscal_year"] == "2016-17")].set_index("group")
    for hidden in ("Asian", "White", "People of color"):
        assert m2.loc[hidden, "value"] == "hidden"  # never blank, as in every download
        assert m2.loc[hidden, "suppressed"] == "yes"
        assert m2.loc[hidden, "value_label"] == "hidden"
    shown = m2.loc[m2["suppressed"] == "no", "value"].astype(float)
    assert shown.to_dict() == {"All": 200.0, "Black or African American": 12.0, "Hispanic or Latino": 30.0,
                               "Unknown or declined": 3.0}  # fmt: skip
    later = values[(values["measure_id"] == 2) & (values["fiscal_year"] == "2018-19")]
    assert list(later["value"].astype(float)) == [220.0, 15.0, 14.0, 33.0, 150.0, 8.0, 62.0]
    assert set(later["suppressed"]) == {"no"}
    # Every hidden cell in the file says so, and no cell is blank without the flag.
    assert set(values.loc[values["suppressed"] == "yes", "value"]) == {"hidden"}
    assert set(values.loc[values["suppressed"] == "yes", "value_label"]) == {"hidden"}
    assert (values.loc[values["suppressed"] == "no", "value"] != "").all()
    assert "hidden" not in set(values.loc[values["suppressed"] == "no", "value"])
    assert len(values) == 5 + 14 + 3 + 2 + 3  # M1, M2 (two years of 7), M3, M4, M5


def test_measures_goals_bureaus_and_plans(bundle):
    measures = _read(bundle, "measures.csv")
    assert list(measures["measure_key"]) == ["M1", "M2", "M3", "M4", "M5"]
    assert set(measures["as_of"]) == {"2021-09-30"}
    assert list(measures["current_value"]) == [28.0, 220.0, 48.0, 12.0, 160.0]
    assert list(measures["health"]) == ["out_of_date", "tracked", "out_of_date", "out_of_date", "out_of_date"]
    goals = _read(bundle, "goals.csv")
    assert list(goals["number"]) == [1, 2, 3]
    bureaus = _read(bundle, "bureaus.csv")
    assert list(bureaus["code"]) == ["AA", "BB", "CC"]
    assert list(bureaus["measure_count"]) == [3, 1, 1]
    plans = _read(bundle, "plans.csv")
    assert list(plans["bureau_code"]) == ["AA", "BB", "CC"]  # not CC's draft version 2
    assert list(plans["plan_version"]) == [1, 1, 1]
    bureau_goals = _read(bundle, "bureau_goals.csv")
    assert list(bureau_goals["goal_key"]) == ["AA-G1", "AA-G2", "BB-G1", "CC-G1"]


def test_the_data_dictionary_and_what_each_column_means(bundle):
    shipped = _read(bundle, "data-dictionary.csv")
    assert list(shipped.columns) == ["Topic", "Field", "Meaning", "Format"]
    assert len(shipped) == len(dictionary.FIELDS)
    columns = _read(bundle, "columns.csv")
    values = _read(bundle, "values.csv")
    described = columns.loc[columns["file"] == "values.csv", "column"]
    assert list(described) == list(values.columns)
    suppressed = columns[(columns["file"] == "values.csv") & (columns["column"] == "suppressed")]
    assert suppression.NOTE in suppressed["meaning"].iat[0]


def test_the_command_writes_the_same_bundle(golden_engine, tmp_path, capsys):
    path = tmp_path / "everything.zip"
    url = golden_engine.url.render_as_string(hide_password=False)
    assert cli.main(["--database-url", url, "open-data", str(path)]) == 0
    assert "everything published" in capsys.readouterr().out
    written = zipfile.ZipFile(path)
    assert "values.csv" in written.namelist()
    values = _read(written, "values.csv")
    assert sorted(set(values["measure_id"])) == [1, 2, 3, 4, 5]


def test_the_command_says_when_it_cannot_write(golden_engine, tmp_path, capsys):
    url = golden_engine.url.render_as_string(hide_password=False)
    assert cli.main(["--database-url", url, "open-data", str(tmp_path / "no-such-folder" / "x.zip")]) == 1
    assert capsys.readouterr().err.startswith("error: cannot write")


def test_an_empty_database_gives_a_bundle_without_rows(engine):
    bundle = zipfile.ZipFile(io.BytesIO(open_data.bundle_zip(engine, now=MADE)))
    assert _read(bundle, "values.csv").empty
    assert _read(bundle, "measures.csv").empty
    assert "No plan is published yet" in bundle.read("README.txt").decode("utf-8")


def test_the_methodology_page_offers_everything_published(golden_engine, monkeypatch):
    from apptest_support import open_app

    app = open_app("pages/methodology.py", golden_engine, monkeypatch)
    app.run()
    assert not app.exception
    labels = [button.proto.label for button in app.get("download_button")]
    assert "Download everything published (zip)" in labels
