"""The house rules of ../shared/docs/architecture.md, checked on the source: who may import what, and
that every page is registered and guards itself before doing anything else."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from equity_tracking.navigation import PAGES

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "equity_tracking"
PAGE_SCRIPTS = sorted((ROOT / "pages").glob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every module a file imports (``from a.b import c`` counts as ``a.b`` and ``a.b.c``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


LIBRARY_MODULES = {_module(path): path for path in LIBRARY.rglob("*.py")}


def test_only_the_ui_adapter_imports_streamlit():
    importers = sorted(
        name
        for name, path in LIBRARY_MODULES.items()
        if any(module == "streamlit" or module.startswith("streamlit.") for module in _imports(path))
    )
    assert importers == ["equity_tracking.ui"]


def test_the_library_never_imports_pages_or_the_app():
    for name, path in LIBRARY_MODULES.items():
        assert not any(module.split(".")[0] in {"pages", "app", "serve"} for module in _imports(path)), name


GROUND_FLOOR = ("equity_tracking.models", "equity_tracking.periods", "equity_tracking.rules")


def _project_imports(path: Path) -> set[str]:
    return {module for module in _imports(path) if module.startswith("equity_tracking.")}


def test_the_read_layer_stands_on_the_ground_floor():
    # The as-of rule and its kin live below the read layer (rules.py), never in the analytics above it;
    # who may see what comes from the permission module, which needs no ORM to decide.
    below = (*GROUND_FLOOR, "equity_tracking.permissions")
    assert all(module.startswith(below) for module in _project_imports(LIBRARY / "reads.py"))


def test_permissions_decide_without_the_database():
    # It decides from the principal alone; even the role names live here (models.py imports them).
    assert not _project_imports(LIBRARY / "permissions.py")
    source = (LIBRARY / "permissions.py").read_text(encoding="utf-8")
    assert "sqlalchemy" not in source
    assert "Session" not in source


# Reads that touch a scoped table's rows but return none of them: the CLI's row counts and the cache
# fingerprints (the newest ids).
NOT_ROW_READS = {"table_counts", "data_version", "value_watermark"}
SCOPED_MODELS = re.compile(r"\b(MeasureValue|ActionUpdate|AnnualReport|Plan)\b")


def _public_reads():
    from equity_tracking import reads

    return [
        (name, function)
        for name, function in inspect.getmembers(reads, inspect.isfunction)
        if function.__module__ == reads.__name__ and not name.startswith("_")
    ]


def test_every_read_of_rows_that_can_be_unpublished_requires_a_viewer():
    checked = []
    for name, function in _public_reads():
        if name in NOT_ROW_READS or not SCOPED_MODELS.search(inspect.getsource(function)):
            continue
        parameter = inspect.signature(function).parameters.get("viewer")
        assert parameter is not None, f"reads.{name} reads scoped rows without a viewer"
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name
        assert parameter.default is inspect.Parameter.empty, f"reads.{name} must not default its viewer"
        checked.append(name)
    assert {"measure_value_frame", "annual_reports", "action_updates", "plans", "measures"} <= set(checked)


def test_the_page_context_passes_its_viewer_to_every_scoped_read():
    from equity_tracking import ui

    scoped = {
        name for name, function in _public_reads() if "viewer" in inspect.signature(function).parameters
    }
    assert scoped == set(ui.SCOPED_READERS)
    # Pages read only through PageContext.read (or the page context's analytics), never reads directly.
    for path in PAGE_SCRIPTS:
        assert "reads." not in path.read_text(encoding="utf-8"), path.name


def test_the_rules_import_only_the_periods():
    assert all(
        module.startswith("equity_tracking.periods") for module in _project_imports(LIBRARY / "rules.py")
    )


@pytest.mark.parametrize("layer", ["analytics", "dashboards", "charts"])
def test_pure_layers_never_reach_up(layer):
    above = ("equity_tracking.ui", "streamlit", "pages")
    for path in (LIBRARY / layer).rglob("*.py"):
        assert not any(module.startswith(above) for module in _imports(path)), path.name


def test_analytics_never_reach_into_dashboards_or_charts():
    for path in (LIBRARY / "analytics").rglob("*.py"):
        used = _imports(path)
        assert not any(
            module.startswith(("equity_tracking.dashboards", "equity_tracking.charts")) for module in used
        )


@pytest.mark.parametrize("layer", ["dashboards", "charts"])
def test_no_page_module_imports_another_pages_module(layer):
    # Helpers shared by several pages live in shared modules (dashboards/common.py, charts/style.py).
    shared = {"common", "style", "__init__"}
    modules = {path.stem for path in (LIBRARY / layer).glob("*.py")} - shared
    for path in (LIBRARY / layer).glob("*.py"):
        if path.stem in shared:
            continue
        for module in _imports(path):
            prefix = f"equity_tracking.{layer}."
            if module.startswith(prefix):
                other = module.removeprefix(prefix).split(".")[0]
                assert other in shared or other == path.stem, f"{layer}/{path.stem} imports {layer}/{other}"
            for other_layer in ("dashboards", "charts"):
                prefix = f"equity_tracking.{other_layer}."
                if other_layer != layer and module.startswith(prefix):
                    other = module.removeprefix(prefix).split(".")[0]
                    # A chart module may draw its own page's view (charts/bureau uses dashboards/bureau).
                    assert other in shared or other == path.stem, (
                        f"{layer}/{path.stem} imports {other_layer}/{other}"
                    )
    assert modules  # the check looked at something


def test_every_page_script_is_registered_and_every_registered_page_exists():
    registered = {spec.script for spec in PAGES}
    on_disk = {str(path.relative_to(ROOT)) for path in PAGE_SCRIPTS}
    assert registered == on_disk


@pytest.mark.parametrize("path", PAGE_SCRIPTS, ids=lambda path: path.stem)
def test_every_page_calls_its_guard_first(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    statements = [
        node
        for node in tree.body
        if not isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))  # the docstring
    ]
    first = statements[0]
    assert isinstance(first, ast.Assign), ast.dump(first)[:100]
    call = first.value
    assert isinstance(call, ast.Call)
    assert ast.unparse(call.func) == "ui.guard"
    key = call.args[0].value  # type: ignore[attr-defined]
    assert next(spec for spec in PAGES if spec.key == key).script == str(path.relative_to(ROOT))


def test_no_page_writes_sql():
    for path in PAGE_SCRIPTS:
        used = _imports(path)
        assert not any(
            module.startswith(("sqlalchemy", "equity_tracking.models", "equity_tracking.reads"))
            for module in used
        ), path.name
