"""The page registry: every page the app has, its script, title, URL and the
permission it needs, and the parameters its links carry. The sidebar lists them in this order
(one flat list: Streamlit's sidebar sections put headings inside the list, which screen readers
report as a broken list).

Plain data, so that which pages a user gets is decided (and tested) without Streamlit; the UI adapter
turns these into ``st.Page`` objects, and each page script's guard looks itself up here. Also owns
the short links (``/bureau/TR``) that the server turns into the page's own URL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from equity_tracking.permissions import BUREAU_SCOPED, Permission, Principal, allowed, bureaus_with

# Paths Streamlit serves itself (its API, media, components, scripts and styles).
STREAMLIT_PATHS = frozenset({"_stcore", "media", "component", "static", "app", "favicon.png", "index.html"})
# URL parameters that follow a reader from page to page (a sidebar click keeps them).
FISCAL_YEAR, BUREAU, MEASURE, GOAL = "fy", "bureau", "measure", "goal"


class Audience(enum.StrEnum):
    """Who a page is listed for, besides its permission: the sign-in page only for visitors who
    have not signed in."""

    EVERYONE = "everyone"
    SIGNED_OUT = "signed_out"


@dataclass(frozen=True)
class PageSpec:
    key: str
    script: str  # relative to the project folder
    title: str
    icon: str
    permission: Permission
    url_path: str
    default: bool = False
    # The parameter a short link's last segment fills: /bureau/TR is /bureau?bureau=TR.
    short_link_param: str | None = None
    audience: Audience = Audience.EVERYONE
    # A working page (entering or reviewing work) always shows the unpublished work in the viewer's
    # scope, whatever the sidebar's switch says.
    working: bool = False


def _public(
    key: str,
    script: str,
    title: str,
    icon: str,
    url_path: str,
    *,
    default: bool = False,
    short_link_param: str | None = None,
) -> PageSpec:
    return PageSpec(key, script, title, icon, Permission.VIEW_PUBLISHED, url_path, default, short_link_param)


PAGES: tuple[PageSpec, ...] = (
    _public("home", "pages/home.py", "Citywide overview", ":material/home:", "overview", default=True),
    _public(
        "goal", "pages/citywide_goal.py", "Citywide goals", ":material/flag:", "goal", short_link_param=GOAL
    ),
    _public(
        "bureau",
        "pages/bureau.py",
        "Bureaus",
        ":material/account_balance:",
        "bureau",
        short_link_param=BUREAU,
    ),
    _public(
        "measure",
        "pages/measure.py",
        "Measures",
        ":material/monitoring:",
        "measure",
        short_link_param=MEASURE,
    ),
    _public("compare", "pages/compare.py", "Compare bureaus", ":material/compare_arrows:", "compare"),
    _public("workforce", "pages/workforce.py", "Workforce representation", ":material/groups:", "workforce"),
    _public("reports", "pages/reports.py", "Bureau reports", ":material/article:", "reports"),
    _public(
        "methodology", "pages/methodology.py", "Methodology and about", ":material/menu_book:", "methodology"
    ),
    PageSpec(
        "my_bureau",
        "pages/my_bureau.py",
        "My bureau",
        ":material/edit_note:",
        Permission.EDIT_BUREAU_DATA,
        "my-bureau",
        working=True,
    ),
    PageSpec(
        "review",
        "pages/review.py",
        "Review queue",
        ":material/fact_check:",
        Permission.REVIEW,
        "review",
        working=True,
    ),
    PageSpec(
        "users",
        "pages/users.py",
        "Users",
        ":material/manage_accounts:",
        Permission.MANAGE_USERS,
        "users",
    ),
    PageSpec(
        "reference_data",
        "pages/reference_data.py",
        "Groups, benchmarks and cycles",
        ":material/tune:",
        Permission.MANAGE_PLAN_STRUCTURE,
        "reference-data",
    ),
    PageSpec(
        "plan_structure",
        "pages/plan_structure.py",
        "Plan structure",
        ":material/account_tree:",
        Permission.MANAGE_PLAN_STRUCTURE,
        "plan-structure",
    ),
    PageSpec(
        "import_data",
        "pages/import_data.py",
        "Import data",
        ":material/upload_file:",
        Permission.IMPORT_DATA,
        "import",
    ),
    PageSpec(
        "audit",
        "pages/audit_log.py",
        "Audit log",
        ":material/history:",
        Permission.VIEW_AUDIT_LOG,
        "audit-log",
    ),
    PageSpec(
        "sign_in",
        "pages/sign_in.py",
        "Sign in",
        ":material/login:",
        Permission.VIEW_PUBLISHED,
        "sign-in",
        audience=Audience.SIGNED_OUT,
    ),
    PageSpec(
        "account",
        "pages/account.py",
        "My account",
        ":material/person:",
        Permission.VIEW_OWN_ACCOUNT,
        "account",
    ),
)


def page(key: str) -> PageSpec:
    for spec in PAGES:
        if spec.key == key:
            return spec
    raise KeyError(f"No page is registered as {key!r}.")


def may_open(principal: Principal, spec: PageSpec) -> bool:
    """Whether ``principal`` may open the page (its guard asks the same). A page that needs a
    bureau-scoped permission opens for anyone who holds it for at least one bureau."""
    if spec.audience is Audience.SIGNED_OUT and not principal.is_anonymous:
        return False
    if spec.permission in BUREAU_SCOPED:
        return bureaus_with(principal, spec.permission) != frozenset()
    return allowed(principal, spec.permission)


def pages_for(principal: Principal) -> list[PageSpec]:
    return [spec for spec in PAGES if may_open(principal, spec)]


def href(key: str, **params: object) -> str:
    """A page's relative URL with its parameters (``bureau?bureau=TR&fy=2018-19``); parameters that
    are None are left out."""
    spec = page(key)
    query = urlencode({name: str(value) for name, value in params.items() if value is not None})
    return f"{spec.url_path}?{query}" if query else spec.url_path


def short_link_target(path: str, query: str = "") -> str | None:
    """Where a path below a page goes: ``/bureau/TR`` → ``/bureau?bureau=TR`` (keeping any query
    string); a page without a short link goes to the page itself. None for any other path.

    Streamlit serves its page shell for any path, but a nested one loads its scripts from the wrong
    folder and shows a blank page; the server answers these with a redirect instead.
    """
    first, _, rest = path.strip("/").partition("/")
    spec = next((spec for spec in PAGES if spec.url_path == first), None)
    # Streamlit's own paths below a page (its scripts probe "/bureau/_stcore/health" to find the app's
    # base path) must stay unanswered, or the page would take "/bureau" for the app's root.
    if spec is None or not rest or rest.split("/")[0] in STREAMLIT_PATHS or "/" in rest.strip("/"):
        return None
    target = "/" + spec.url_path
    params = []
    if spec.short_link_param is not None:
        params.append(f"{spec.short_link_param}={quote(rest.strip('/'), safe='')}")
    if query:
        params.append(query)
    return target + ("?" + "&".join(params) if params else "")
