"""Project documents shown in the app (the methodology), read from ``docs/`` once per process."""

from __future__ import annotations

from functools import cache

from equity_tracking.settings import PROJECT_ROOT

METHODOLOGY = PROJECT_ROOT / "docs" / "methodology.md"


@cache
def methodology_sections() -> tuple[tuple[str, str], ...]:
    """``docs/methodology.md`` split at its level-2 headings: ((title, markdown), …).

    The document's own title (level 1), any text before the first section and the sections for
    developers are dropped: the page has its own introduction, and its readers are the public.
    """
    if not METHODOLOGY.is_file():
        return ()
    sections: list[tuple[str, list[str]]] = []
    for line in METHODOLOGY.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    # Sections for developers (where each formula lives in the code) stay in the repository.
    return tuple(
        (title, "\n".join(body).strip())
        for title, body in sections
        if not title.lower().startswith("for developers")
    )
