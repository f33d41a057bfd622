"""``sopbot`` run as an operator runs it: a real process in its own working folder,
configured only through its environment, which starts from the shell's without any sopbot
or Slack setting (none of the developer's settings or ``.env`` choices leak in)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def clean_environment(*also: str) -> dict[str, str]:
    """This process's environment without ``SOPBOT_*``, ``SLACK_*`` and the variables
    starting with any of ``also``."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SOPBOT_", "SLACK_", *also))
    }


@dataclass
class Operator:
    """Runs ``sopbot`` in ``workdir`` with ``env``."""

    workdir: Path
    env: dict[str, str]

    def sopbot(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run one command to its end; its exit code and output."""
        return subprocess.run(
            [sys.executable, "-m", "bot.cli.app", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env=self.env,
            timeout=120,
            check=False,
        )
