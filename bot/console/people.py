"""Who the console person can be: the sandbox's seeded people, for ``/people`` and ``/as``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.connectors.sandbox.people import GROUPS, USERS
from bot.connectors.sandbox.store import Store
from storage.database import Database


@dataclass(frozen=True)
class Person:
    """One identity to switch to with ``/as @handle``."""

    user_id: str
    handle: str
    name: str
    title: str
    groups: tuple[str, ...] = ()

    def line(self) -> str:
        """``@sam  Sam, Finance lead (U03SAM) · in @finance``."""
        groups = f" · in {', '.join('@' + group for group in self.groups)}" if self.groups else ""
        return f"@{self.handle:<6} {self.name}, {self.title} ({self.user_id}){groups}"


def sandbox_people(database: Database) -> tuple[Person, ...]:
    """The seeded people with the user groups they belong to, in ID order."""
    with database.session(read_only=True) as session:
        store = Store(session)
        users = store.all(USERS)
        groups = store.all(GROUPS)
    return tuple(
        Person(
            user_id=str(user["id"]),
            handle=str(user["handle"]),
            name=str(user["name"]),
            title=str(user.get("title", "")),
            groups=tuple(
                str(group["handle"]) for group in groups if user["id"] in group["members"]
            ),
        )
        for user in users
    )
