"""One name, one procedure: ``/sop run NAME`` and every Start button find a procedure by its
id or its command, so the library never serves two procedures that answer to one name, even
when it is handed files that were checked one by one (a harness, ``sopbot test``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.library import Library, UnknownProcedure
from bot.validation.validator import validate_text
from storage.database import Database

CORPUS = Path(__file__).parent.parent / "validation" / "broken" / "sop501-id-is-another-s-command"
NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def test_a_procedure_whose_id_is_another_s_command_does_not_take_that_command_over(
    database: Database,
) -> None:
    files = [
        validate_text((CORPUS / name).read_text(), name, today=NOW.date())
        for name in ("a-refund-request.yml", "b-takeover.yml")
    ]
    assert all(not loaded.diagnostics for loaded in files)  # each file alone is clean

    library = Library.serve(files, database, now=NOW)

    assert library.find("refund").procedure.id == "refund-request"
    assert library.find("refund-request").procedure.id == "refund-request"
    assert list(library.procedures) == ["refund-request"]
    assert [(d.file, d.code, d.message) for d in library.diagnostics] == [
        (
            "b-takeover.yml",
            "SOP501",
            "SOP id 'refund' is already the command '/sop run refund' of a-refund-request.yml",
        ),
        (
            "b-takeover.yml",
            "SOP501",
            "the command '/sop run refund-request' is already the SOP id of a-refund-request.yml",
        ),
    ]
    with pytest.raises(UnknownProcedure, match="no procedure called 'takeover'"):
        library.find("takeover")
