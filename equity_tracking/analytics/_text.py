"""Small vectorised helpers shared by the analytics: numbers and dates as words, state styling.

Owns how a judgement's reason reads ("72 %", "FY 2018-19", "28 Sep 2019") and how a state key
column becomes its ``_label`` and ``_icon`` columns. Nothing here returns NaN: a missing number or
date becomes an empty string, so that text columns are always safe to show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from equity_tracking.analytics.states import StateStyle


def percent_text(fraction: pd.Series) -> pd.Series:
    """0.723 → "72 %"; missing → ""."""
    whole = (fraction.astype(float) * 100).round()
    text = whole.astype("Int64").astype("string").fillna("") + " %"
    return text.where(whole.notna(), "").astype(object)


def concat_unique(*parts: object) -> np.ndarray:
    """Join text parts row by row (scalars repeat; missing → ""), formatting each distinct
    combination once.

    On large frames most rows share a few combinations (group names, period labels), so this loops
    over the distinct combinations only, never over rows: each part is factorised, the codes are
    combined into one integer per row, and only the distinct integers are turned into text.
    """
    is_array = [isinstance(part, pd.Series | np.ndarray | pd.Categorical) for part in parts]
    if not any(is_array):
        return np.array(["".join(str(part) for part in parts)], dtype=object)
    combined, uniques_of = None, []
    for part, flag in zip(parts, is_array, strict=True):
        if not flag:
            continue
        codes, uniques = pd.factorize(np.asarray(part, dtype=object), use_na_sentinel=False)
        uniques_of.append(np.array(["" if pd.isna(value) else str(value) for value in uniques], dtype=object))
        combined = codes.astype(np.int64) if combined is None else combined * len(uniques) + codes
    assert combined is not None  # at least one part is an array (checked above)
    distinct, row_codes = np.unique(combined, return_inverse=True)
    texts = []
    for code in distinct:
        # Decode the mixed-radix code back into one value per array part (last part first).
        pieces = []
        for uniques in reversed(uniques_of):
            code, index = divmod(int(code), len(uniques))
            pieces.append(uniques[index])
        values = iter(reversed(pieces))
        texts.append(
            "".join(next(values) if flag else str(part) for part, flag in zip(parts, is_array, strict=True))
        )
    return np.array(texts, dtype=object)[row_codes.ravel()]


def date_text(dates: pd.Series) -> pd.Series:
    """A date as "28 Sep 2019"; missing → "".

    Only the distinct dates are formatted (a few dozen period ends, however many rows).
    """
    codes, uniques = pd.factorize(dates)
    texts = np.array([*uniques.strftime("%d %b %Y").str.lstrip("0"), ""], dtype=object)
    return pd.Series(texts[codes], index=dates.index, dtype=object)


def label_text(labels: pd.Series) -> pd.Series:
    """Period labels (possibly categorical, possibly missing) as plain text."""
    return labels.astype(object).where(labels.notna(), "").astype(object)


def choose(
    conditions: Sequence[np.ndarray], choices: Sequence[object], default: object
) -> np.ndarray | pd.Categorical:
    """``np.select`` for text: per row, the choice of the first true condition, else ``default``.

    Choices may be scalars or Series aligned with the conditions. When all are scalars the result
    is a Categorical: on the million-row group frames that is one small integer per row instead of
    a string object, and mapping it to labels and icons touches only its few categories.
    """
    options = [*choices, default]
    which = np.select(
        [np.asarray(condition, dtype=bool) for condition in conditions], range(len(choices)), len(choices)
    )
    if not any(isinstance(option, pd.Series | np.ndarray) for option in options):
        categories = list(dict.fromkeys(options))
        codes = np.array([categories.index(option) for option in options], dtype=np.int16)[which]
        return pd.Categorical.from_codes(codes, categories=categories)
    result = np.empty(len(which), dtype=object)
    for number, option in enumerate(options):
        rows = which == number
        if isinstance(option, pd.Series):
            result[rows] = option.to_numpy(dtype=object)[rows]
        elif isinstance(option, np.ndarray):
            result[rows] = option[rows]
        else:
            result[rows] = option
    return result


def add_style_columns(frame: pd.DataFrame, column: str, styles: Mapping[str, StateStyle]) -> pd.DataFrame:
    """Add ``{column}_label`` and ``{column}_icon`` beside a state column (unknown keys → "")."""
    keys = frame[column]
    for suffix in ("label", "icon"):
        lookup = {key: getattr(style, suffix) for key, style in styles.items()}
        if isinstance(keys.dtype, pd.CategoricalDtype):
            # Map the few categories and keep the codes: no string is built per row.
            texts = [lookup.get(category, "") for category in keys.cat.categories] + [""]  # code −1 → ""
            unique = list(dict.fromkeys(texts))
            recode = np.array([unique.index(text) for text in texts], dtype=np.int16)
            codes = recode[keys.cat.codes.to_numpy()]
            frame[f"{column}_{suffix}"] = pd.Categorical.from_codes(codes, categories=unique)
        else:
            frame[f"{column}_{suffix}"] = keys.map(lookup).fillna("")
    return frame
