"""The glossary: the terms of the tracker that need explaining, each in one plain line.

Owns the words: a page shows a term's line next to the term's first use on that page, and the
methodology page lists them all. Kept in one place so that the explanation is the same everywhere
(and can be translated in one place later).
"""

from __future__ import annotations

# term → one line. The order is the order of the methodology page's glossary.
TERMS: dict[str, str] = {
    "Focus area": (
        "The area of work a bureau goal belongs to, such as workforce, contracting or community access; "
        "it lets bureaus with different plans be compared."
    ),
    "GARE strategy": (
        "One of the six overall strategies of the Government Alliance on Race and Equity (GARE), such as "
        "being data-driven; a bureau goal names the strategies it follows."
    ),
    "RBA category": (
        "Results-Based Accountability sorts measures by the question they answer: how much did we do, "
        "how well did we do it, or is anyone better off?"
    ),
    "Representation index": (
        "A group's share of a workforce (or of contract dollars) divided by its share of the city's "
        "residents: 1.0 is parity, below 1.0 the group is under-represented."
    ),
    "Equity score": (
        "A score from 1 (most inequality) to 100 (none) that compares the best-off and worst-off groups; "
        "a high score can mean that every group is doing equally badly."
    ),
}


def name(term: str) -> str:
    """The glossary's own spelling of ``term`` (any capitalisation); a KeyError names a term that is
    not in the glossary."""
    for known in TERMS:
        if known.lower() == term.lower():
            return known
    raise KeyError(f"The glossary has no entry for {term!r}.")


def explain(term: str) -> str:
    """The one line for ``term`` (any capitalisation)."""
    return TERMS[name(term)]
