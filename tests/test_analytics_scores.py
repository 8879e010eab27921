"""Equity scores: golden values from the Equity Indicators conversion table, and its properties."""

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equity_tracking import ratio_to_score
from equity_tracking.analytics.scores import ratios_to_scores

# (ratio, score): both edges of every band in docs/domain.md, and the two worked examples.
GOLDEN = [
    (1.000, 100),
    (1.004, 100),
    (1.005, 99),
    (1.099, 81),
    (1.100, 80),
    (1.119, 80),
    (1.120, 79),
    (1.499, 61),
    (1.500, 60),
    (1.524, 60),
    (1.525, 59),
    (1.999, 41),
    (2.000, 40),
    (2.149, 40),
    (2.150, 39),
    (4.999, 21),
    (5.000, 20),
    (5.249, 20),
    (5.250, 19),
    (9.999, 1),
    (10.000, 1),
    (12.5, 1),
    (1e9, 1),
]


@pytest.mark.parametrize(("ratio", "score"), GOLDEN)
def test_ratio_to_score_matches_conversion_table(ratio, score):
    assert ratio_to_score(ratio) == score
    assert isinstance(ratio_to_score(ratio), int)


def test_ratio_to_score_worked_examples_two_is_forty_five_is_twenty():
    assert ratio_to_score(2) == 40
    assert ratio_to_score(5) == 20


@pytest.mark.parametrize(
    ("ratio", "score"),
    [
        (1.0145, 97),  # rounds half up to 1.015 (1.0145 × 1000 is 1014.4999… in binary)
        (1.0144, 98),  # rounds to 1.014
        (1.9994, 41),  # rounds to 1.999
        (1.9995, 40),  # rounds to 2.000
        (0.9996, 100),  # rounds to 1.000
        (math.inf, 1),
    ],
)
def test_ratio_to_score_rounds_to_three_decimals_first(ratio, score):
    assert ratio_to_score(ratio) == score


@pytest.mark.parametrize("ratio", [0.5, 0.9994, -2.0, math.nan])
def test_ratio_to_score_rejects_ratios_below_one_or_missing(ratio):
    with pytest.raises(ValueError, match="ratio"):
        ratio_to_score(ratio)


def test_ratios_to_scores_matches_scalar_and_marks_invalid_missing():
    ratios = pd.Series(
        [ratio for ratio, _ in GOLDEN] + [0.5, math.nan, None, math.inf], index=range(100, 127)
    )
    scores = ratios_to_scores(ratios)
    assert str(scores.dtype) == "Int64"
    assert scores.index.equals(ratios.index)
    assert scores.iloc[: len(GOLDEN)].tolist() == [score for _, score in GOLDEN]
    assert scores.iloc[len(GOLDEN) : len(GOLDEN) + 3].isna().all()
    assert scores.iloc[-1] == 1


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=1.0, max_value=50.0, allow_nan=False),
    st.floats(min_value=0.0, max_value=50.0, allow_nan=False),
)
def test_score_never_rises_as_ratio_rises_and_stays_within_one_to_hundred(ratio, increase):
    score, higher_ratio_score = ratio_to_score(ratio), ratio_to_score(ratio + increase)
    assert 1 <= higher_ratio_score <= score <= 100


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=1.0, max_value=20.0, allow_nan=False), min_size=1, max_size=30))
def test_vectorised_score_equals_scalar_score_for_any_ratios(ratios):
    scores = ratios_to_scores(pd.Series(ratios))
    assert scores.tolist() == [ratio_to_score(ratio) for ratio in ratios]


def test_importing_the_package_stays_light():
    code = (
        "import sys, equity_tracking; from equity_tracking import ratio_to_score; "
        "heavy = [m for m in ('streamlit', 'pandas', 'sqlalchemy') if m in sys.modules]; "
        "print(ratio_to_score(2), heavy)"
    )
    project = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=project
    )
    assert result.stdout.strip() == "40 []"
