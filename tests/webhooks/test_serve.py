"""``sopbot serve`` as an operator runs it, with a webhook secret in its environment: a
signed delivery is answered at once and the worker inside the process starts the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from storage.models import Run
from tests.slack.fake_web_api import FakeSlack
from tests.slack.launch import SECRET as SLACK_SECRET
from tests.slack.launch import environment, launched
from tests.webhooks.conftest import ORDER_REFUND, SECRET, Sender


@pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)
def test_sopbot_serve_takes_a_signed_delivery_and_starts_the_run(
    empty_database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "order-refund.yml").write_text(ORDER_REFUND)
    env = environment(
        slack.url,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SLACK_SECRET,
        SOPBOT_WEBHOOK_ORDERS_SECRET=SECRET,
    )
    args = ["serve", "--port", "0", "--sops", str(sops), "--database", empty_database_url]
    with launched(args, env, tmp_path) as process:
        base = process.wait_for(r"serving Slack over HTTP at (http://\S+)/slack/events").group(1)
        body = {"type": "order.refund_requested", "data": {"order_id": "1042", "amount": 30}}
        answer = Sender(f"{base}/webhooks/orders").deliver(body)
        assert answer.status_code == 202, answer.text
        process.wait_for(r"event orders order\.refund_requested started r-", timeout=30)
        assert process.stop() == 0, process.text()
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Run)) == 1
    finally:
        engine.dispose()
    assert "Traceback" not in process.text(), process.text()
    assert SECRET.removeprefix("whsec_") not in process.text()
