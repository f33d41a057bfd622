"""The example connector package, installed by pip as a third party installs it, registers
the ``orders`` namespace through its entry point alone: ``sopbot validate`` checks the sample
SOP against it, ``sopbot test`` runs its scenarios offline, and the console runs the SOP end
to end against a stand-in for the order system, creating the replacement once even when
the step is retried."""

from __future__ import annotations

from tests.examples.conftest import SOPS
from tests.examples.order_api import TOKEN, OrderApi, Seen
from tests.sopbot_process import Operator

REPLACE = '/sop run replace order_id=A-1042 sku=SKU-1001 reason="arrived broken"\n'


def test_validate_knows_the_namespace_only_through_the_installed_entry_point(
    operator: Operator,
) -> None:
    installed = operator.sopbot("validate", str(SOPS))
    del operator.env["PYTHONPATH"]
    uninstalled = operator.sopbot("validate", str(SOPS))

    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert installed.stdout.strip().endswith("1 file checked, no problems")
    assert uninstalled.returncode == 1
    assert "SOP201" in uninstalled.stdout


def test_the_scenarios_run_offline_behind_their_stubs(
    operator: Operator, order_api: OrderApi
) -> None:
    done = operator.sopbot("test", str(SOPS))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed, 0 failed" in done.stdout
    assert order_api.requests == [], "every call was stubbed: none reached the order system"


def test_a_retried_replacement_is_created_once(
    operator: Operator, order_api: OrderApi, empty_database_url: str
) -> None:
    operator.env["SOPBOT_DATABASE_URL"] = empty_database_url
    order_api.lose_answers = 1  # the first create succeeds, but its answer is lost (503)

    done = operator.sopbot("run", stdin=f"{REPLACE}/clock +2m\n/quit\n")

    assert done.returncode == 0, done.stderr
    assert "sandbox tools (own connectors: orders)" in done.stdout
    assert "Replacement R-1 sends SKU-1001 again to priya@initech.example" in done.stdout
    run_id = done.stdout.split(" as run ", 1)[1].split()[0]
    key = f"replace-A-1042-{run_id}"
    creates = [seen for seen in order_api.requests if seen.method == "POST"]
    assert creates == [Seen("POST", "/api/v2/orders/A-1042/replacements", key)] * 2
    assert list(order_api.replacements) == [key]
    assert order_api.replacements[key]["skus"] == ["SKU-1001"]
    assert TOKEN not in done.stdout + done.stderr


def test_an_order_not_yet_delivered_is_handed_to_a_person_and_nothing_is_created(
    operator: Operator, order_api: OrderApi
) -> None:
    done = operator.sopbot("run", stdin=REPLACE.replace("A-1042", "A-1043") + "/quit\n")

    assert done.returncode == 0, done.stderr
    assert "Order A-1043 is open, not delivered: nothing to replace yet" in done.stdout
    assert [seen.path for seen in order_api.requests] == ["/api/v2/orders/A-1043"]
    assert order_api.replacements == {}
