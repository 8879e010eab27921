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


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        key="home",
        script="pages/home.py",
        title="Overview",
        icon=":material/home:",
        permission=Permission.VIEW_PUBLIC,
        url_path="overview",
        default=True,
    ),
)


def page(key: str) -> PageSpec:
    for spec in PAGES:
        if spec.key == key:
            return spec
    raise KeyError(f"No page is registered as {key!r}.")


def pages_for(principal: Principal) -> list[PageSpec]:
    return [spec for spec in PAGES if allowed(principal, spec.permission)]
