"""Which configured race/ethnicity group a name in a spreadsheet means.

"Black or African American", "Black", "African American" and "BLACK" are one group: a name is
matched ignoring case, spacing and punctuation against each configured group's name, its key and
the other names people use for it (``reference.GROUP_ALIASES``). A name that matches nothing is an
error that lists the configured groups; a name that would match two groups is an error too, so a
figure is never filed under a guess. Used by the import (issue #10); pure Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from equity_tracking.reference import GROUP_ALIASES


class GroupNameError(ValueError):
    """A group name that names no configured group, or more than one; the message says which exist."""


@dataclass(frozen=True)
class ConfiguredGroup:
    id: int
    key: str
    name: str


def normalized(name: str) -> str:
    """``"  Black / African-American "`` → ``"black african american"``: case, accents, punctuation
    and spacing do not count; "&" is "and"."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().casefold()
    text = text.replace("&", " and ").replace("_", " ")
    return " ".join(re.sub(r"[^a-z0-9+]+", " ", text).split())


class GroupMatcher:
    """Matches names to the configured groups (their ids)."""

    def __init__(
        self,
        groups: Iterable[ConfiguredGroup],
        aliases: Mapping[str, Iterable[str]] = GROUP_ALIASES,
        *,
        offered: Iterable[int] | None = None,
    ):
        """``offered``: the ids of the groups an error message lists (default: all), e.g. only the
        groups a figure may be entered for, leaving out roll-ups that are matched only to be refused."""
        self.groups = list(groups)
        self._offered = None if offered is None else set(offered)
        self._names: dict[str, set[int]] = {}
        for group in self.groups:
            for name in (group.name, group.key, *aliases.get(group.key, ())):
                self._names.setdefault(normalized(name), set()).add(group.id)

    def match(self, name: str) -> int:
        """The id of the group ``name`` means; :class:`GroupNameError` if none or several."""
        found = self._names.get(normalized(name), set())
        if len(found) == 1:
            return next(iter(found))
        listed = "; ".join(
            group.name for group in self.groups if self._offered is None or group.id in self._offered
        )
        if not found:
            raise GroupNameError(f"“{name}” is not one of the race/ethnicity groups: {listed}.")
        both = " and ".join(group.name for group in self.groups if group.id in found)
        raise GroupNameError(f"“{name}” could mean {both}; use the group's full name.")
