"""``sopbot worker`` in a Slack deployment posts to Slack, not to its log: a run recorded by
the serving process is advanced by a separate worker whose messages land in Slack."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from bot.chat.recording import RecordingChat
from bot.cli.worker_cmd import run_worker
from bot.clock.time import SystemClock
from bot.config import Settings
from bot.wiring import assemble
from storage.database import Database
from tests.slack.fake_web_api import FakeSlack

SOPS = Path(__file__).parents[2] / "sops"


def test_a_worker_with_slack_tokens_delivers_to_slack(database: Database, slack: FakeSlack) -> None:
    url = database.url.render_as_string(hide_password=False)
    plain = Settings(database_url=url, sops_dir=SOPS)
    recording = assemble(plain, clock=SystemClock(), chat=lambda _db, _people: RecordingChat())
    try:
        run = recording.engine.start(
            "refund",
            {"order_id": "1043", "reason": "damaged"},
            started_by="U02DEV",
            thread={"to": "C02SUPPORT"},
            inline=False,
        )
    finally:
        recording.runtime.close()

    slack_settings = Settings(
        database_url=url,
        sops_dir=SOPS,
        slack_bot_token=SecretStr("xoxb-test-token"),
        slack_signing_secret=SecretStr("secret"),
        slack_api_url=slack.url,
        worker_id="slack-worker",
    )
    assert run_worker(slack_settings, SystemClock(), once=True, poll=0.05) == 0

    texts = [message["text"] for message in slack.posted("C02SUPPORT")]
    assert any(text.startswith(f"Started Refund a customer order · run {run.id}") for text in texts)
