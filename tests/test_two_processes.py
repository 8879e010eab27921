"""Two app processes on one database (issue #12, "beyond one machine"): what one process publishes,
the other serves on its next request, with no restart and no shared memory between them.

Each server holds its own caches of the city (its judged views, its frames); both read the one
database's data version on every request, so a publication made by a third process (here the
command line's import, as an administrator would run it) reaches both."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from conftest import serve_app
from golden_city import build_golden_city

from equity_tracking.cli import main

pytestmark = pytest.mark.browser  # real servers: run with the browser tests


def _get(base: str, path: str) -> dict:
    with urllib.request.urlopen(f"{base}{path}", timeout=120) as response:
        return json.load(response)


def _total(base: str, measure_id: int, period: str) -> float | None:
    rows = _get(base, f"/api/v1/measures/{measure_id}/values?limit=1000")["data"]
    [row] = [row for row in rows if row["period"] == period and row["group"] == "All"]
    return row["value"]


def test_a_value_published_by_one_process_is_served_by_two_others_on_their_next_request(
    engine, tmp_path: Path
):
    build_golden_city(engine)
    url = engine.url.render_as_string(hide_password=False)
    export = tmp_path / "export"
    assert main(["--database-url", url, "export", str(export)]) == 0
    values = pd.read_csv(export / "values.csv", dtype=str, keep_default_na=False)
    # A published total of a measure reported by percent (never suppressed): its newest figure.
    measures = pd.read_csv(export / "measures.csv", dtype=str, keep_default_na=False)
    percent = set(
        measures.loc[measures["unit"] == "percent", ["bureau_code", "measure_key"]].itertuples(index=False)
    )
    keys = pd.Series(list(zip(values["bureau_code"], values["measure_key"], strict=True)), index=values.index)
    chosen = values[(values["group"] == "") & keys.isin(percent)].iloc[-1]
    old = float(chosen["value"])
    new = round(old + 7.25, 2)

    servers = [serve_app(engine, tmp_path / f"server-{n}.log") for n in (1, 2)]
    try:
        bases = [next(server) for server in servers]
        listed = _get(bases[0], f"/api/v1/measures?bureau={chosen['bureau_code']}&limit=1000")["data"]
        [measure] = [m for m in listed if m["measure_key"] == chosen["measure_key"]]
        period = chosen["period"]
        for base in bases:  # each server has read and judged the city once, and holds it
            assert _total(base, measure["measure_id"], period) == pytest.approx(old)

        values.loc[chosen.name, "value"] = str(new)
        values.to_csv(export / "values.csv", index=False)
        assert main(["--database-url", url, "import", str(export), "--publish"]) == 0

        for base in bases:
            assert _total(base, measure["measure_id"], period) == pytest.approx(new)
    finally:
        for server in servers:
            server.close()
