"""A person at the keyboard of ``sopbot run``: types a line, reads until the next prompt.

The console runs for real, in a pseudo-terminal, with its background clock on. Every wait
is an explicit ``expect`` with a timeout; nothing sleeps.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pexpect

from tests.sopbot_process import clean_environment

REPO = Path(__file__).resolve().parents[2]
SOPBOT = Path(sys.executable).with_name("sopbot")
PROMPT = re.compile(r"(?m)^[a-z]+> ")
START_TIMEOUT = 60.0
"""Starting imports the engine and validates every sample SOP: seconds on a busy machine."""
STEP_TIMEOUT = 30.0
SANDBOX_SECRETS = {"SOPBOT_SECRET_carrier_portal_key": "sandbox-portal-key"}
"""freight-claim sends the carrier portal key; any value does in the sandbox."""


class Console:
    """One running ``sopbot run`` on its own SQLite file in ``workdir``, serving the
    procedures in ``sops`` (the samples unless a test brings its own)."""

    def __init__(self, workdir: Path, sops: Path = REPO / "sops") -> None:
        self.transcript = io.StringIO()
        environment = clean_environment()
        environment.update(
            SANDBOX_SECRETS,
            SOPBOT_DATABASE_URL=f"sqlite:///{workdir / 'sopbot.db'}",
            TERM="dumb",
        )
        self.child = pexpect.spawn(
            str(SOPBOT),
            ["run", "--sops", str(sops)],
            cwd=str(workdir),
            env=environment,
            encoding="utf-8",
            codec_errors="replace",
            timeout=STEP_TIMEOUT,
            dimensions=(50, 200),
        )
        self.child.logfile_read = self.transcript
        self.banner = self._until(PROMPT, START_TIMEOUT)
        self.prompt = self._prompt_text()

    def type(self, line: str) -> str:
        """Type a line and Enter; what the console printed before its next prompt."""
        self.child.sendline(line)
        return self.read_until_prompt()

    def read_until_prompt(self) -> str:
        """Everything up to the next prompt (the command's whole answer), line ends as \\n."""
        output = self._until(PROMPT, STEP_TIMEOUT)
        self.prompt = self._prompt_text()
        return output

    def type_until(self, line: str, question: str) -> str:
        """Type a line that makes the console ask ``question``; the output before it."""
        self.child.sendline(line)
        return self._until(re.escape(question), STEP_TIMEOUT)

    def end_input(self) -> str:
        """Ctrl-D at the prompt; the output until the program ends."""
        self.child.sendeof()
        return self._until(pexpect.EOF, STEP_TIMEOUT)

    def exit_status(self) -> int | None:
        """The program's exit status once it has ended."""
        self.child.close()
        return self.child.exitstatus

    def text(self) -> str:
        """All the console printed so far."""
        return _plain(self.transcript.getvalue())

    def _until(self, pattern: object, timeout: float) -> str:
        self.child.expect(pattern, timeout=timeout)
        return _plain(str(self.child.before))

    def _prompt_text(self) -> str:
        return str(self.child.after).strip()


def _plain(text: str) -> str:
    return text.replace("\r\n", "\n")


def button(output: str, label: str) -> str:
    """The number of the newest button called ``label`` in ``output`` (what a person types)."""
    numbers = re.findall(rf"\[(\d+)\] {re.escape(label)}\b", output)
    assert numbers, f"no '{label}' button in:\n{output}"
    return numbers[-1]


def run_id(output: str) -> str:
    """The id of the run a start command reported."""
    found = re.search(r"as run (r-[0-9a-f]+)", output)
    assert found, f"no run started in:\n{output}"
    return found[1]
