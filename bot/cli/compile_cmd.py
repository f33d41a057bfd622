"""``sopbot compile PROCEDURE.md``: a procedure written in plain language becomes an SOP
draft beside it (``PROCEDURE.sop.yml``), checked by the validator and repaired with the
model; ``sopbot compile --accept DRAFT`` is the person's step that puts it into service.

Exits 0 when the draft (or the accepted SOP) has no errors, 1 when it has, or when the model
failed, 2 on a usage problem or when no model is configured (nothing is written then)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.catalogue.registry import Catalogue
    from bot.config import Settings
    from bot.procedure.loader import LoadedSop
    from bot.procedure.model import Procedure

NO_MODEL = (
    "sopbot compile: compiling needs a model: set SOPBOT_LLM_API_KEY (or SOPBOT_LLM_BASE_URL) "
    "and SOPBOT_LLM_MODEL, see docs/llm.md; nothing was written"
)


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "compile",
        help="turn a procedure written in plain language into an SOP draft (needs a model)",
        description="Compile a procedure written in plain language (Markdown or text) into an "
        "SOP file with the configured model, checked by the validator and repaired in up to "
        "--rounds rounds. The draft is written beside the source as NAME.sop.yml and is not "
        "served until you accept it with --accept. docs/llm.md explains it.",
    )
    parser.add_argument(
        "source",
        nargs="?",
        metavar="PROCEDURE",
        help="the written procedure (with --accept: the one the draft was compiled from, "
        "if it is not beside the draft)",
    )
    parser.add_argument("--out", type=Path, help="where to write the draft (not inside sops/)")
    parser.add_argument(
        "--rounds",
        type=_rounds,
        default=2,
        metavar="N",
        help="repair rounds with the validator's findings (default: 2)",
    )
    parser.add_argument(
        "--diff",
        type=Path,
        metavar="SOP",
        help="show the draft as a diff against this SOP (default: sops/ID.yml, if it exists)",
    )
    parser.add_argument(
        "--accept", type=Path, metavar="DRAFT", help="check a draft and move it into sops/"
    )
    parser.add_argument(
        "--ignore-source",
        action="store_true",
        help="with --accept: accept the draft even if its written procedure changed since",
    )
    parser.add_argument("--sops", help="folder of SOP files (default: sops/)")
    parser.set_defaults(run=run)


def _rounds(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of rounds (0 or more)")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from bot.cli.settings import command_settings, configured_catalogue

    given: Path | None = args.accept or (Path(args.source) if args.source else None)
    if given is None:
        print("sopbot compile: name a written procedure, or --accept DRAFT", file=sys.stderr)
        return 2
    if not given.is_file():
        print(f"sopbot compile: {given}: no such file", file=sys.stderr)
        return 2
    settings = command_settings("compile", **({"sops_dir": args.sops} if args.sops else {}))
    catalogue = configured_catalogue("compile")
    if settings is None or catalogue is None:
        return 2
    if args.accept:
        source = Path(args.source) if args.source else None
        return _accept(given, source, settings, catalogue, check_source=not args.ignore_source)
    return _compile(given, args, settings, catalogue)


def _compile(
    source: Path, args: argparse.Namespace, settings: Settings, catalogue: Catalogue
) -> int:
    from bot.clock.time import SystemClock
    from bot.compile.compiler import compile_procedure
    from bot.compile.draft import DraftProblem, Provenance, draft_path, write_draft
    from bot.config import SettingsProblem
    from bot.llm.errors import ModelError
    from bot.llm.models import Models
    from bot.llm.settings import Feature, load_llm_settings
    from bot.llm.usage import AuditRecorder
    from bot.validation.validator import validate_text
    from bot.wiring import open_database

    try:
        target = draft_path(source, args.out, settings.sops_dir)
        model = Models.configured(load_llm_settings()).model_for(Feature.COMPILE)
    except (DraftProblem, SettingsProblem) as problem:
        print(f"sopbot compile: {problem}", file=sys.stderr)
        return 2
    if model is None:
        print(NO_MODEL, file=sys.stderr)
        return 2
    text = source.read_text(encoding="utf-8")
    clock = SystemClock()
    database = open_database(settings)
    try:
        compiled = compile_procedure(
            model,
            source.name,
            text,
            catalogue=catalogue,
            rounds=args.rounds,
            record=AuditRecorder(database, clock),
        )
    except ModelError as error:
        print(f"sopbot compile: {error}; nothing was written", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    write_draft(target, Provenance.of(source, text, model.name, clock.now().date()), compiled.text)
    written = target.read_text(encoding="utf-8")
    loaded = validate_text(written, str(target), catalogue=catalogue)
    rounds = f"{compiled.repairs} repair round{'' if compiled.repairs == 1 else 's'}"
    print(f"Wrote {target} (model {model.name}, {rounds}).")
    if compiled.human_tasks:
        tasks = _plain(", ".join(compiled.human_tasks))
        print(f"Tasks for a person, as no operation does them: {tasks}")
    if compiled.notes:
        print(f"Model's notes: {_plain(compiled.notes)}")
    _show_diff(args.diff, loaded, written, target, settings)
    return _report(loaded, f"not served until accepted: sopbot compile --accept {target}")


def _plain(said: str, longest: int = 1_000) -> str:
    """A model's words as the terminal shows them: without control and formatting
    characters (they could rewrite the screen the reviewer decides from), and cut."""
    shown = "".join(
        " " if unicodedata.category(char).startswith("C") else char for char in said[: longest + 1]
    )
    return shown if len(shown) <= longest else shown[: longest - 1] + "…"


def _show_diff(
    against: Path | None, loaded: LoadedSop, written: str, target: Path, settings: Settings
) -> None:
    """The draft against ``against``, or against the SOP it would replace."""
    from bot.compile.draft import accepted_path, diff

    if against is None and loaded.procedure is not None:
        existing = accepted_path(loaded.procedure.id, settings.sops_dir)
        against = existing if existing.is_file() else None
    if against is None:
        return
    if not against.is_file():
        print(f"sopbot compile: --diff {against}: no such file", file=sys.stderr)
        return
    print(diff(against, written, str(target)) or f"Same as {against}.")


def _report(loaded: LoadedSop, clean: str) -> int:
    """The findings, then ``clean`` or what is left to fix; 1 when errors remain."""
    from bot.procedure.diagnostics import Severity

    for finding in loaded.diagnostics:
        print(finding.render())
        if finding.hint:
            print(f"    hint: {finding.hint}")
    errors = sum(d.severity is Severity.ERROR for d in loaded.diagnostics)
    if errors:
        print(f"{errors} error{'' if errors == 1 else 's'} left: fix them by hand in {loaded.file}")
        return 1
    print(f"Valid; {clean}.")
    return 0


def _accept(
    draft: Path,
    source: Path | None,
    settings: Settings,
    catalogue: Catalogue,
    *,
    check_source: bool,
) -> int:
    """Check the draft (still what its written procedure says, unless ``check_source`` is
    off) and move it into the SOP folder as ID.yml."""
    from bot.compile.draft import accepted_path, accepted_text
    from bot.validation.validator import validate_text

    written = draft.read_text(encoding="utf-8")
    stale = _outdated(draft, written, source) if check_source else None
    if stale is not None:
        print(f"sopbot compile: {draft} was not accepted: {stale}", file=sys.stderr)
        return 1
    text = accepted_text(written)
    loaded = validate_text(text, str(draft), catalogue=catalogue, today=dt.date.today())
    if _report(loaded, "accepting it") != 0 or loaded.procedure is None:
        print(f"sopbot compile: {draft} was not accepted", file=sys.stderr)
        return 1
    target = accepted_path(loaded.procedure.id, settings.sops_dir)
    refused = (
        f"{target} is a symbolic link; remove it, sopbot writes only a file of its own"
        if target.is_symlink()
        else _clash(loaded.procedure, target, settings.sops_dir)
    )
    if refused is not None:
        print(f"sopbot compile: {draft} was not accepted: {refused}", file=sys.stderr)
        return 1
    _show_diff(None, loaded, text, target, settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_new(target, text)
    draft.unlink()
    print(f"Accepted as {target}; served from sopbot's next start.")
    return 0


_HEADER = re.compile(r"# Compiled from (?P<name>.*) \(sha256 (?P<sha256>[0-9a-f]{64})\) by model ")


def _outdated(draft: Path, written: str, source: Path | None) -> str | None:
    """Why the draft may not say what its written procedure says now: that procedure
    (``source``, or the one its header names beside it) has another SHA-256 than the
    header records, or cannot be found."""
    from bot.compile.draft import Provenance

    header = _HEADER.match(written)
    if header is None:
        return (
            "it has no 'Compiled from' header, so whether it is current cannot be told; "
            "compile the written procedure again, or pass --ignore-source"
        )
    named = source or draft.parent / header["name"]
    if not named.is_file():
        return (
            f"it was compiled from {header['name']}, which is not beside it; name it: "
            f"sopbot compile PROCEDURE --accept {draft} (or pass --ignore-source)"
        )
    now = Provenance.of(named, named.read_text(encoding="utf-8"), "", dt.date.today()).sha256
    if now == header["sha256"]:
        return None
    what = f"{named} is not what {draft} was compiled from, or has changed since"
    if source is None:
        what = f"{named} has changed since {draft} was compiled from it"
    return (
        f"{what}; compile it again (sopbot compile {named}), or pass --ignore-source to "
        "accept the draft as it is"
    )


def _write_new(target: Path, text: str) -> None:
    """Write ``target`` as a file, never through a symbolic link put there meanwhile."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(target, flags, 0o644), "w", encoding="utf-8") as file:
        file.write(text)


def _clash(procedure: Procedure, target: Path, sops_dir: Path) -> str | None:
    """A name another SOP in the folder (not the one ``target`` replaces) answers to that
    ``procedure`` would take too, its id or its command: the library would serve only one."""
    from bot.procedure.loader import load_file
    from bot.validation.run_names import RunNames
    from bot.validation.validator import sop_files

    if not sops_dir.is_dir():
        return None
    names = RunNames()
    for path in sop_files([sops_dir]):
        other = load_file(path).procedure
        if other is not None and path.resolve() != target.resolve():
            names.claim(str(path), other.id, other.trigger.command)
    clashes = names.claim(str(target), procedure.id, procedure.trigger.command)
    return clashes[0].said() if clashes else None
