"""``sopbot compile --accept`` puts into service only a draft of the procedure as it is
written now, and only into a real file in the SOP folder: a draft of a procedure edited
since is refused (compile again), and so is a symlink standing where the SOP would go."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cli.app import main
from tests.compile.conftest import Workspace, sample_text
from tests.llm.fake_openai import FakeOpenAI, json_reply


def answer(sop_yaml: str) -> Any:
    return json_reply({"sop_yaml": sop_yaml, "human_tasks": [], "notes": ""})


@pytest.fixture
def compiled(workspace: Workspace, fake_openai: FakeOpenAI) -> Workspace:
    """refund-request.md compiled to its draft beside it."""
    fake_openai.on("(refund-request.md)", answer(sample_text("refund-request")))
    assert main(["compile", "docs/refund-request.md"]) == 0
    return workspace


def test_a_draft_of_a_procedure_edited_since_is_not_accepted(
    compiled: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    source, draft = compiled.procedure("refund-request"), compiled.draft("refund-request")
    with source.open("a", encoding="utf-8") as written:
        written.write("\nRefunds above 100 need the CFO's approval.\n")
    capsys.readouterr()

    assert main(["compile", "--accept", str(draft)]) == 1

    err = capsys.readouterr().err
    assert f"{source} has changed since {draft} was compiled from it" in err
    assert f"compile it again (sopbot compile {source})" in err
    assert list(compiled.sops.iterdir()) == []
    assert draft.exists()

    # the person who knows the edit does not matter says so explicitly
    assert main(["compile", "--accept", str(draft), "--ignore-source"]) == 0
    assert [path.name for path in compiled.sops.iterdir()] == ["refund-request.yml"]


def test_a_draft_away_from_its_procedure_is_compared_with_the_one_named(
    workspace: Workspace, fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_openai.on("(refund-request.md)", answer(sample_text("refund-request")))
    draft = workspace.root / "drafts" / "refund.sop.yml"
    assert main(["compile", "docs/refund-request.md", "--out", str(draft)]) == 0
    capsys.readouterr()

    assert main(["compile", "--accept", str(draft)]) == 1
    err = capsys.readouterr().err
    assert "was compiled from refund-request.md, which is not beside it" in err
    assert f"sopbot compile PROCEDURE --accept {draft}" in err

    other = workspace.procedure("bug-escalation")
    assert main(["compile", str(other), "--accept", str(draft)]) == 1
    assert f"{other} is not what {draft} was compiled from" in capsys.readouterr().err

    source = workspace.procedure("refund-request")
    assert main(["compile", str(source), "--accept", str(draft)]) == 0
    assert [path.name for path in workspace.sops.iterdir()] == ["refund-request.yml"]


def test_a_file_without_a_compile_header_is_not_accepted_as_a_draft(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_written = workspace.root / "docs" / "refund.sop.yml"
    hand_written.write_text(sample_text("refund-request"), encoding="utf-8")

    assert main(["compile", "--accept", str(hand_written)]) == 1

    assert "has no 'Compiled from' header" in capsys.readouterr().err
    assert list(workspace.sops.iterdir()) == []


def test_a_symlink_where_the_sop_would_go_is_not_written_through(
    compiled: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = compiled.root / "elsewhere.txt"
    elsewhere.write_text("not an SOP\n", encoding="utf-8")
    link = compiled.sops / "refund-request.yml"
    link.symlink_to(elsewhere)
    capsys.readouterr()

    assert main(["compile", "--accept", str(compiled.draft("refund-request"))]) == 1

    assert f"{link} is a symbolic link" in capsys.readouterr().err
    assert elsewhere.read_text(encoding="utf-8") == "not an SOP\n"
    assert link.is_symlink()
    assert compiled.draft("refund-request").exists()
