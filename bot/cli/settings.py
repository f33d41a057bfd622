"""Settings and the connector catalogue as the commands read them (``run``, ``validate``,
``graph``, ``test`` ...): a problem is one line on stderr naming the command, then exit 2."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.catalogue.registry import Catalogue
    from bot.config import Settings


def location_overrides(args: argparse.Namespace) -> dict[str, str]:
    """The settings a command's ``--sops`` and ``--database`` replace, when given."""
    return {
        name: value
        for name, value in (("sops_dir", args.sops), ("database_url", args.database))
        if value
    }


def command_settings(command: str, **overrides: Any) -> Settings | None:
    """The settings from the environment and ``.env``; None after saying what is wrong."""
    from bot.config import SettingsProblem, load_settings

    try:
        return load_settings(**overrides)
    except SettingsProblem as problem:
        print(f"sopbot {command}: {problem}", file=sys.stderr)
        return None


def catalogue_problem(command: str, error: Exception) -> None:
    """Say that a connector cannot be registered or chosen, and where to look."""
    print(
        f"sopbot {command}: {error} (check SOPBOT_CONNECTORS, SOPBOT_CONNECTOR_* and "
        "installed connector packages)",
        file=sys.stderr,
    )


def configured_catalogue(command: str) -> Catalogue | None:
    """Every operation the configured sopbot declares (built in, installed packages and
    ``SOPBOT_CONNECTORS``); None after saying what is wrong."""
    from bot.catalogue.registry import CatalogueError, build_catalogue

    settings = command_settings(command)
    if settings is None:
        return None
    try:
        return build_catalogue(tuple(settings.connectors))
    except CatalogueError as error:
        catalogue_problem(command, error)
        return None
