"""The example connector package (``examples/order-system``) installed as a third party
installs it: built by pip into a folder of its own, never into sopbot's environment, and
seen only by the processes given that folder on their path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.examples.order_api import TOKEN, OrderApi, serve
from tests.sopbot_process import Operator, clean_environment

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "order-system"
SOPS = EXAMPLE / "sops"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder pip installed the package into: its module and its entry point."""
    target = tmp_path_factory.mktemp("site-packages")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(EXAMPLE)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return target


@pytest.fixture
def order_api(httpserver: HTTPServer) -> OrderApi:
    return serve(httpserver)


@pytest.fixture
def operator(tmp_path: Path, installed: Path, order_api: OrderApi) -> Operator:
    """The package on the path (and nothing naming it: its entry point registers it), the
    sample SOP folder, the order system's address and token."""
    env = clean_environment("ACME_")
    env.update(
        PYTHONPATH=str(installed),
        SOPBOT_SOPS_DIR=str(SOPS),
        SOPBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'sopbot.db'}",
        SOPBOT_SECRET_ACME_ORDERS_TOKEN=TOKEN,
        ACME_ORDERS_URL=order_api.url,
    )
    return Operator(tmp_path, env)
