"""A process-wide cache that builds each value once: the pages' shared reads and assemblies
(``ui``) and the open data's frames of one data version (``open_data``).

One build per key at a time: a crowd arriving at a cold process waits for the first caller's build
instead of each building its own, while callers of other keys go on. A build that started before a
clear does not put its (older) result back. Not Streamlit's ``st.cache_resource``, which hashes
every argument with its own hasher and looks up the function's signature again on every call: a
tenth of a warm overview rerun once the page itself was shared (benchmarks/load.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class SharedCache:
    """Values shared by every caller in the process, keyed on hashable keys (plain tuples) and bounded
    by count, the least recently used going first (``max_entries`` None: unbounded). Treat them as
    read-only."""

    def __init__(self, max_entries: int | None = None) -> None:
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._clears = 0  # a build that started before a clear must not put its result back

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value kept under ``key``, or ``build()``'s, kept."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[return-value]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._entries:
                    return self._entries[key]  # type: ignore[return-value]
                clears = self._clears
            try:
                value = build()
            except BaseException:
                with self._lock:
                    if self._building.get(key) is building:
                        del self._building[key]
                raise
            with self._lock:  # kept and no longer building in one step: no second build starts
                if self._building.get(key) is building:
                    del self._building[key]
                if clears == self._clears:
                    self._entries[key] = value
                    while self._max_entries is not None and len(self._entries) > self._max_entries:
                        self._entries.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._clears += 1
