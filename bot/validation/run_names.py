"""The names a procedure answers to: ``/sop run NAME`` (and every Start button) finds a
procedure by its id or by its trigger command, so ids and commands are one namespace. An
id that is another procedure's command would take that command over: the first procedure
to use a name keeps it, and every later use is a clash (SOP501)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.validation.rules import RULES

_ID, _COMMAND = "SOP id", "command"


@dataclass(frozen=True)
class Clash:
    """A name a procedure uses that an earlier one has: where it is, why, and the fix."""

    path: tuple[str, ...]
    message: str
    hint: str

    def said(self) -> str:
        """The message and its fix, as one sentence."""
        return f"{self.message}; {self.hint}"


@dataclass
class RunNames:
    """The names taken so far, each with the file that took it and as what."""

    taken: dict[str, tuple[str, set[str]]] = field(default_factory=dict)

    def claim(self, file: str, sop_id: str, command: str | None) -> list[Clash]:
        """Take the id and the command of the procedure in ``file``; what clashes with a
        name an earlier file took (its own id and command may be the same word)."""
        clashes = [self._claim(file, sop_id, _ID)]
        if command is not None:
            clashes.append(self._claim(file, command, _COMMAND))
        return [clash for clash in clashes if clash is not None]

    def _claim(self, file: str, name: str, kind: str) -> Clash | None:
        first, kinds = self.taken.setdefault(name, (file, set()))
        if first == file:
            kinds.add(kind)
            return None
        if kind == _ID:
            if _ID in kinds:
                return Clash(
                    ("id",), f"SOP id '{name}' is already used by {first}", RULES["SOP501"].hint
                )
            return Clash(
                ("id",),
                f"SOP id '{name}' is already the command '/sop run {name}' of {first}",
                "choose an id that is no other procedure's command: /sop run finds either",
            )
        if _COMMAND in kinds:
            message = f"the command '/sop run {name}' is already used by {first}"
        else:
            message = f"the command '/sop run {name}' is already the SOP id of {first}"
        return Clash(("trigger", "command"), message, "give each procedure its own command")
