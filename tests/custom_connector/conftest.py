"""The guide's team connector run through sopbot's commands, as an operator runs them: each
command is a real ``sopbot`` process, configured only through its environment, calling a
stand-in for Acme's shop API."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.custom_connector.shop_api import TOKEN, ShopApi, serving
from tests.docs.connecting_guide import guide_files, write_package
from tests.engine.conftest import make_harness as make_harness  # the engine tests' harness
from tests.sopbot_process import Operator, clean_environment

REPO = Path(__file__).resolve().parents[2]
SOP_FILE = "sops/replacement-order.yml"
SCENARIOS = """\
- name: stock on hand is reserved at the shop
  as: U02DEV
  inputs: {order_id: "1042", sku: SKU-1001}
  then:
    - expect: {status: completed}

- name: a stubbed empty shelf escalates without asking the shop
  as: U02DEV
  inputs: {order_id: "1043", sku: SKU-1001}
  tools:
    shop.get_stock: {answer: {sku: SKU-1001, on_hand: 0, warehouse: Leipzig}}
  then:
    - expect:
        status: escalated
        escalations: [{to: [U04LEE], reason: SKU-1001 is out of stock in Leipzig}]
"""


@pytest.fixture
def shop_api() -> Iterator[ShopApi]:
    with serving() as api:
        yield api


@pytest.fixture
def operator(tmp_path: Path, shop_api: ShopApi) -> Operator:
    """A working directory with the guide's SOP and its scenarios, the guide's package on
    the path, ``SOPBOT_CONNECTORS`` naming it, and the shop's token and address set."""
    package = write_package(tmp_path / "packages")
    (tmp_path / "sops").mkdir()
    (tmp_path / SOP_FILE).write_text(guide_files()[SOP_FILE])
    (tmp_path / "sops" / "replacement-order.test.yml").write_text(SCENARIOS)
    env = clean_environment()
    env.update(
        PYTHONPATH=os.pathsep.join([str(package), str(REPO)]),
        SOPBOT_CONNECTORS=json.dumps(["acme_shop:SHOP"]),
        SOPBOT_SECRET_ACME_SHOP_TOKEN=TOKEN,
        ACME_SHOP_URL=shop_api.url,
        SOPBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'sopbot.db'}",
    )
    return Operator(tmp_path, env)
