"""Two real, published data sets (docs/real-data.md) go through the spreadsheet import, and figures read
back from the database match the raw source files, with the expected numbers typed in by hand.

"row N" is line N of the raw file in ``source/`` (line 1 is the header).
"""

from __future__ import annotations

import filecmp
import importlib.util
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from equity_tracking import importing, permissions
from equity_tracking.models import (
    Bureau,
    BureauGoal,
    Measure,
    MeasureValue,
    Plan,
    Polarity,
    RaceGroup,
    ReportingPeriod,
    Unit,
)

REAL = Path(__file__).resolve().parent / "data" / "real"
SCRIPTS = Path(__file__).resolve().parent.parent / "scripts" / "real_data"
CALHR = REAL / "calhr_workforce"
SF = REAL / "sf_performance"
CONTRACT_FILES = ("bureaus.csv", "goals.csv", "actions.csv", "measures.csv", "values.csv")


def _import(engine, folder: Path) -> importing.ImportResult:
    try:
        return importing.import_path(engine, folder, actor=permissions.OPERATOR, publish=True)
    except importing.ImportRefusedError as refused:
        pytest.fail("the import refused the folder:\n" + "\n".join(map(str, refused.errors)))


def _measure(engine, bureau_code: str, measure_key: str) -> Measure:
    query = (
        select(Measure)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .join(Bureau, Bureau.id == Plan.bureau_id)
        .where(Bureau.code == bureau_code, Measure.key == measure_key)
        .order_by(Measure.id.desc())
    )
    with Session(engine) as session:
        measure = session.scalars(query).first()
    assert measure is not None, f"no measure {bureau_code}/{measure_key}"
    return measure


def _period_label(engine, period_id: int | None) -> str | None:
    with engine.connect() as connection:
        return connection.scalar(select(ReportingPeriod.label).where(ReportingPeriod.id == period_id))


def newest_value(engine, bureau_code: str, measure_key: str, period: str, group: str | None = None):
    """The newest row (highest id) of a measure's value for a period and a group (None: the total)."""
    query = (
        select(MeasureValue.value, MeasureValue.note)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .join(Bureau, Bureau.id == Plan.bureau_id)
        .join(ReportingPeriod, ReportingPeriod.id == MeasureValue.period_id)
        .outerjoin(RaceGroup, RaceGroup.id == MeasureValue.group_id)
        .where(Bureau.code == bureau_code, Measure.key == measure_key, ReportingPeriod.label == period)
        .where(MeasureValue.group_id.is_(None) if group is None else RaceGroup.name == group)
        .order_by(MeasureValue.id.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    assert row is not None, f"no value of {bureau_code}/{measure_key} for {period}, {group or 'total'}"
    return row


def _value_rows(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(MeasureValue))


# --- CalHR 5102: state employees by department and race/ethnicity, 31 December 2019–2021 -----------
# (a count on 31 December 2019 is filed under FY 2019-20, the fiscal year that contains that day)


def test_calhr_headcounts_match_the_source(engine):
    _import(engine, CALHR)
    # source/calhr-5102-statewide-2019.csv, Sierra Nevada Conservancy, rows 297–324 with a Record Count
    # above 0: Hispanic or Latino rows 297 and 298 (1 + 1), Other or Multiple Race row 300 (1), White
    # rows 302, 304, 306 (4), 307, 309, 311, 313, 314 (3), 315 (5), 316, 318, 321, 322, 324 (1 each
    # unless shown) = 23 → total 2 + 1 + 23 = 26.
    assert newest_value(engine, "SNC", "headcount", "FY 2019-20").value == 26
    assert newest_value(engine, "SNC", "headcount", "FY 2019-20", "Hispanic or Latino").value == 2
    assert newest_value(engine, "SNC", "headcount", "FY 2019-20", "White").value == 23
    # The total keeps the "Other or Multiple Race" employee (row 300), which no group holds, and says so.
    assert "Other or Multiple Race" in newest_value(engine, "SNC", "headcount", "FY 2019-20").note
    # source/calhr-5102-statewide-2021.csv row 392: Sierra Nevada Conservancy, Black or African American,
    # Female, SENIOR PERSONNEL SPECIALIST → 1 (the department's only Black or African American row above 0).
    assert newest_value(engine, "SNC", "headcount", "FY 2021-22", "Black or African American").value == 1
    # source/calhr-5102-statewide-2019.csv rows 218, 221, 223, 225, 227, 229, 231, 233: Environmental
    # Protection Agency, Asian - Chinese, - Filipino, - Indian, - Japanese and four Asian - Vietnamese,
    # 1 each → Asian 8; row 265: Pacific Islander - Other or Multiple → 1.
    assert newest_value(engine, "CALEPA", "headcount", "FY 2019-20", "Asian").value == 8
    nhpi = newest_value(engine, "CALEPA", "headcount", "FY 2019-20", "Native Hawaiian or Pacific Islander")
    assert nhpi.value == 1


def test_calhr_headcount_is_the_shared_workforce_indicator(engine):
    _import(engine, CALHR)
    for code in ("CALEPA", "CDA", "OEHHA", "SNC"):
        measure = _measure(engine, code, "headcount")
        assert measure.indicator == "workforce_headcount"
        assert measure.unit == Unit.COUNT
        assert measure.disaggregated


# --- San Francisco Controller: citywide performance measures, FY 2011-12 to FY 2013-14 ------------


def test_sf_actuals_match_the_source(engine):
    _import(engine, SF)
    # source/Citywide_Performance_Measurement_Annual_Report_FY14_Dataset.csv row 33: HRC, HRC-DISCRIM-2,
    # "Total Number of Complaints Filed", FY 2012 / 2013 / 2014 Total Actual Data 95 / 121 / 86.
    assert newest_value(engine, "HRC", "hrc_discrim_2", "FY 2011-12").value == 95
    assert newest_value(engine, "HRC", "hrc_discrim_2", "FY 2012-13").value == 121
    assert newest_value(engine, "HRC", "hrc_discrim_2", "FY 2013-14").value == 86
    # row 20: ECN, KPI33455889183928, placement rate, Unit of Measure Percent, FY 2014 Total Actual 0.72.
    assert newest_value(engine, "ECN", "kpi33455889183928", "FY 2013-14").value == pytest.approx(72)
    # row 10: ECN, ECN.BK5.07.549.549, rebates to film productions, Currency, FY 2012 actual 627130.98.
    assert newest_value(engine, "ECN", "ecn_bk5_07_549_549", "FY 2011-12").value == pytest.approx(627130.98)
    # row 40: WOM, WOM.CAE.02.1269.1269, sexual harassment cases against the City, FY 2014 actual 33.
    assert newest_value(engine, "WOM", "wom_cae_02_1269_1269", "FY 2013-14").value == 33
    # row 3: CSC, CSC.FCV.01.306.306, FY 2014 actual 0.88, with its year-end explanation as the note.
    resolved = newest_value(engine, "CSC", "csc_fcv_01_306_306", "FY 2013-14")
    assert resolved.value == pytest.approx(88)
    assert resolved.note.startswith("In Fiscal Year 2013-14, 88% of the appeals were resolved")


def test_sf_targets_units_and_polarities_match_the_source(engine):
    _import(engine, SF)
    # row 33: FY 2014 Total Target Data 150, "Above target is positive"; FY 2012 actual 95 is the baseline.
    complaints = _measure(engine, "HRC", "hrc_discrim_2")
    assert complaints.target_value == 150
    assert _period_label(engine, complaints.target_period_id) == "FY 2013-14"
    assert complaints.baseline_value == 95
    assert _period_label(engine, complaints.baseline_period_id) == "FY 2011-12"
    assert complaints.polarity == Polarity.HIGHER_IS_BETTER
    # row 20: FY 2014 target 0.7 in a Percent measure → 70 %.
    placement = _measure(engine, "ECN", "kpi33455889183928")
    assert (placement.unit, placement.target_value) == (Unit.PERCENT, pytest.approx(70))
    # row 40: "Below target is positive", FY 2014 target 30.
    harassment = _measure(engine, "WOM", "wom_cae_02_1269_1269")
    assert (harassment.polarity, harassment.target_value) == (Polarity.LOWER_IS_BETTER, 30)
    # row 10: Unit of Measure Currency.
    assert _measure(engine, "ECN", "ecn_bk5_07_549_549").unit == Unit.DOLLARS
    # row 54: a "General" measure named "Percent of people …", published as 27 for FY 2014.
    english = _measure(engine, "WOM", "wom_caz_01_1279_1279")
    assert english.unit == Unit.PERCENT
    assert newest_value(engine, "WOM", "wom_caz_01_1279_1279", "FY 2013-14").value == 27


# --- both -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", [CALHR, SF], ids=["calhr_workforce", "sf_performance"])
def test_importing_the_same_folder_again_changes_nothing(engine, folder):
    _import(engine, folder)
    before = _value_rows(engine)
    assert before > 0
    _import(engine, folder)
    assert _value_rows(engine) == before


@pytest.mark.parametrize("name", ["calhr_workforce", "sf_performance"])
def test_the_committed_folders_are_what_the_converters_write(tmp_path, monkeypatch, name):
    """Re-running a converter on the raw files reproduces the committed contract files exactly."""
    spec = importlib.util.spec_from_file_location(f"convert_{name}", SCRIPTS / f"convert_{name}.py")
    converter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(converter)
    shutil.copytree(REAL / name / "source", tmp_path / "source")
    monkeypatch.setattr(converter, "FOLDER", tmp_path)
    if hasattr(converter, "SOURCE"):
        monkeypatch.setattr(converter, "SOURCE", tmp_path / "source" / converter.SOURCE.name)
    converter.main()
    _, mismatched, missing = filecmp.cmpfiles(REAL / name, tmp_path, CONTRACT_FILES, shallow=False)
    assert (mismatched, missing) == ([], [])
