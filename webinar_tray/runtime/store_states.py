"""The store's attendance states as a lazy mapping (for next_deadline)."""

from __future__ import annotations

from collections.abc import Mapping

from webinar_tray.runtime.store import Store


class StoreStates(Mapping):
    """The store's attendance states, read one id at a time: next_deadline asks about the few
    items it reads, not the whole history."""

    def __init__(self, store: Store):
        self._store, self._seen = store, {}

    def __getitem__(self, id: str) -> str:
        if id not in self._seen:
            self._seen[id] = self._store.states_of((id,)).get(id)
        if self._seen[id] is None:
            raise KeyError(id)
        return self._seen[id]

    def __contains__(self, id: object) -> bool:
        try:
            self[id]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self):
        return iter(self._store.states())

    def __len__(self) -> int:
        return len(self._store.states())
