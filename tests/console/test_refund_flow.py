"""A refund over 500 in the console: finance approves it, and in assist mode every later write
waits for a one-click confirmation by the procedure's owner or the agent who asked."""

from __future__ import annotations

from tests.console.terminal import Console, button, run_id


def test_finance_approves_a_refund_and_each_write_is_confirmed(console: Console) -> None:
    assert "procedures from" in console.banner
    assert "skipped:" not in console.banner
    assert "You are @Maria." in console.banner
    assert console.prompt == "maria>"
    assert "You are now @Dev (U02DEV), Support agent." in console.type("/as @dev")
    assert console.prompt == "dev>"
    started = console.type("/sop run refund order_id=1042 reason=damaged")
    run = run_id(started)
    assert "assist mode: each write waits for a one-click confirmation" in started
    assert "[thread] for @finance" in started
    assert "Refund 640.0 USD on order 1042" in started
    approve = button(started, "Approve")

    assert "Only @finance may decide" in console.type(approve)
    assert "You are now @Sam (U03SAM), Finance lead, in @finance." in console.type("/as @sam")
    approved = console.type(approve)
    assert "Approved a-" in approved
    refunded = approved.index("[sandbox] crm.refund order_id='1042' amount=640.0 reason='damaged'")
    assert f"Approval · refund-request · run {run}: Approved by @Sam" in approved
    assert refunded < approved.index("Confirm: send an email (email_customer)")
    assert f"There is no button {approve}" in console.type(approve)

    confirm_email = button(approved, "Approve")
    assert "Only @Maria, @Dev may decide" in console.type(confirm_email)
    console.type("/as @dev")
    emailed = console.type(confirm_email)
    assert (
        "[sandbox] email.send to jordan.lee@acme-logistics.example: 'Your refund for order 1042'"
        in emailed
    )
    noted = console.type(button(emailed, "Approve"))
    assert "[sandbox] crm.add_note object_type='account' object_id='acme'" in noted
    finished = console.type(button(noted, "Approve"))
    assert "[sandbox] slack.dm to @Dev: Refund RF-0002 of 640.0 USD on 1042 is done" in finished
    assert f"run {run} completed: Refunded 640.0 USD on 1042" in finished

    status = console.type(f"/sop status {run}")
    assert f"Run {run} · refund-request · completed (assist)" in status
    assert "by @Dev" in status
    assert "result: Refunded 640.0 USD on 1042" in status
    for step in ("refund (crm.refund)", "email_customer (email.send)", "tell_requester (slack.dm)"):
        assert step in status
    assert "Nothing is waiting for a decision." in console.type("/sop pending")
