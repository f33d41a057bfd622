"""Run every check of ``sopbot doctor`` on this process's configuration, in the order a
start needs them: settings, database, SOPs, connectors, webhooks, Slack, then the model."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

from bot.catalogue.registry import CatalogueError, build_catalogue
from bot.config import Settings, SettingsProblem, load_settings
from bot.doctor.connectors_check import check_connectors
from bot.doctor.findings import Finding, fail, ok
from bot.doctor.model_check import check_models
from bot.doctor.slack_check import check_slack, slack_surface
from bot.doctor.sops_check import check_sops
from bot.doctor.storage_check import check_database
from bot.doctor.webhooks_check import check_webhooks
from bot.secrets import Secrets, remember
from bot.wiring import live_connectors


def diagnose(
    *,
    now: Callable[[], dt.datetime],
    **overrides: Any,
) -> list[Finding]:
    """Every finding; ``overrides`` replace settings (``sops_dir``, ``database_url``) as
    the command line gives them. Nothing is changed anywhere, and every secret read is
    registered for masking before anything is shown."""
    try:
        settings = load_settings(**overrides)
    except SettingsProblem as problem:
        return [fail("settings", str(problem))]
    remember(_secret_values(settings))
    secrets = Secrets()  # SOPBOT_SECRET_*, masked from here on
    findings = [ok("settings", "loaded")]
    findings.append(check_database(settings.database_url))
    try:
        catalogue = build_catalogue(tuple(settings.connectors))
    except CatalogueError as error:
        findings.append(fail("connectors", f"{error} (check SOPBOT_CONNECTORS)"))
    else:
        findings.append(check_sops(settings.sops_dir, catalogue))
        live = live_connectors(settings, slack_surface(settings))
        findings.extend(check_connectors(catalogue, settings.connector, secrets, now, live))
    findings.extend(check_webhooks(os.environ))
    findings.extend(check_slack(settings, now))
    findings.extend(check_models())
    return findings


def _secret_values(settings: Settings) -> list[str]:
    """The secrets among the settings (tokens, passwords, keys)."""
    return [
        secret.get_secret_value()
        for secret in (
            settings.slack_bot_token,
            settings.slack_app_token,
            settings.slack_signing_secret,
            settings.secrets_key,
            settings.smtp_password,
        )
        if secret is not None
    ]
