"""The page registry: every page the app has, its script, its title and the permission it needs.

Plain data, so that which pages a user gets is decided (and tested) without Streamlit; the UI adapter
turns these into ``st.Page`` objects, and each page script's guard looks itself up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from equity_tracking.permissions import Permission, Principal, allowed


@dataclass(frozen=True)
class PageSpec:
    key: str
    script: str  # relative to the project folder
    title: str
    icon: str
    permission: Permission
    url_path: str
    default: bool = False


def _public(
    key: str, script: str, title: str, icon: str, url_path: str, *, default: bool = False
) -> PageSpec:
    return PageSpec(key, script, title, icon, Permission.VIEW_PUBLIC, url_path, default)


PAGES: tuple[PageSpec, ...] = (
    _public("home", "pages/home.py", "Citywide overview", ":material/home:", "overview", default=True),
    _public("goal", "pages/citywide_goal.py", "Citywide goals", ":material/flag:", "goal"),
    _public("bureau", "pages/bureau.py", "Bureaus", ":material/account_balance:", "bureau"),
    _public("measure", "pages/measure.py", "Measures", ":material/monitoring:", "measure"),
    _public("compare", "pages/compare.py", "Compare bureaus", ":material/compare_arrows:", "compare"),
    _public(
        "methodology", "pages/methodology.py", "Methodology and about", ":material/menu_book:", "methodology"
    ),
)


def page(key: str) -> PageSpec:
    for spec in PAGES:
        if spec.key == key:
            return spec
    raise KeyError(f"No page is registered as {key!r}.")


def pages_for(principal: Principal) -> list[PageSpec]:
    return [spec for spec in PAGES if allowed(principal, spec.permission)]
