"""The golden city with planted text: names, titles, notes and narratives written to break out of
Markdown, HTML and chart text. Every page must show them exactly as typed and let none of them act.

Each string carries a marker a test can look for (``EVIL``) and points at ``evil.example``: a page
that renders any of them as a link, an image, a heading or a table has let text act.
"""

from __future__ import annotations

from golden_city import Golden, build_golden_city
from sqlalchemy import Engine, text

IMAGE = "![EVIL pixel](https://evil.example/pixel.png?from=tracker)"
LINK = "[EVIL click here](https://evil.example/phish)"
HEADING = "# EVIL heading"
HTML = "<img src=https://evil.example/x.png onerror=alert(1)> <a href='https://evil.example'>EVIL html</a>"
TABLE = "| EVIL | table |\n|---|---|\n| a | b |"
FORMULA = '=HYPERLINK("https://evil.example","EVIL formula")'
DIRECTIVE = ":red[EVIL colour] :material/warning: $EVIL^2$"
AUTOLINK = "EVIL www.evil.example and https://evil.example/auto"
TIMELINE = "\n- **1 Jan 2019** · Note on the FY 2018-19 value: EVIL fake entry"
PLOTLY = "<a href='https://evil.example/chart'>EVIL chart link</a><br><b>EVIL bold</b>"

HOSTILE = (IMAGE, LINK, HEADING, HTML, TABLE, FORMULA, DIRECTIVE, AUTOLINK, TIMELINE, PLOTLY)


def build_hostile_city(engine: Engine) -> Golden:
    """The golden city, with hostile text in a bureau's name, a goal, a measure, an action's lead and
    narrative, a value's note and an annual narrative (lengths within the schema's caps)."""
    golden = build_golden_city(engine)
    statements = (
        ("UPDATE bureaus SET name = :value WHERE code = 'BB'", "Bureau of Beta " + LINK + " " + IMAGE),
        (
            "UPDATE bureau_goals SET title = :value WHERE key = 'AA-G1'",
            "Hire fairly " + HEADING + " " + PLOTLY,
        ),
        ("UPDATE measures SET name = :value WHERE key = 'M1'", "Share of new hires " + HTML),
        ("UPDATE actions SET lead = :value WHERE key = 'A1'", DIRECTIVE),
        ("UPDATE action_updates SET narrative = :value WHERE action_id = 1", TABLE + " " + AUTOLINK),
        ("UPDATE measure_values SET note = :value WHERE note IS NOT NULL", FORMULA + "\r" + TIMELINE),
    )
    with engine.begin() as connection:
        for statement, value in statements:
            connection.execute(text(statement), {"value": value})
        connection.execute(
            text("UPDATE annual_reports SET highlights = :value WHERE bureau_id = 1"),
            {"value": f'["{LINK}", "{IMAGE}"]'.replace("\\", "\\\\")},
        )
    return golden
