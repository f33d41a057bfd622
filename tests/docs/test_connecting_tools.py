"""``docs/connecting-tools.md`` holds a complete team connector; it must work as printed.

The guide's ``acme_shop`` package is written to a temporary folder and loaded through the
entry point its ``pyproject.toml`` declares; its SOP must validate against it, and the
validator must catch the mistakes the guide says it catches. ``tests/custom_connector/``
runs its connector through every command.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tomllib
from collections.abc import Iterator

import pytest

from bot.catalogue.builtin import BUILTIN_CONNECTORS
from bot.catalogue.operation import ConnectorSpec
from bot.catalogue.registry import ENTRY_POINT_GROUP, Catalogue, CatalogueError, load_reference
from bot.validation.validator import validate_text
from tests.docs.connecting_guide import GUIDE, guide_files, write_package

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSpec]:
    """The guide's connector, loaded by the reference its entry point names."""
    folder = write_package(tmp_path_factory.mktemp("connector"))
    entry_points = tomllib.loads(guide_files()["pyproject.toml"])["project"]["entry-points"]
    reference = entry_points[ENTRY_POINT_GROUP]["shop"]
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(folder))
        yield load_reference(reference)
        for module in ("acme_shop", "acme_shop.connector"):
            sys.modules.pop(module, None)


def validate(sop: str, shop: ConnectorSpec) -> set[str]:
    """The codes of the errors and warnings the validator finds in ``sop``."""
    catalogue = Catalogue([*BUILTIN_CONNECTORS, shop])
    loaded = validate_text(sop, "sops/replacement-order.yml", catalogue=catalogue, today=TODAY)
    return {diagnostic.code for diagnostic in loaded.diagnostics}


def test_the_entry_point_loads_the_declared_operations_and_their_factory(
    shop: ConnectorSpec,
) -> None:
    assert shop.namespace == "shop"
    assert [operation.name for operation in shop.operations] == [
        "shop.get_stock",
        "shop.reserve_stock",
    ]
    assert shop.factory is not None
    assert shop.factory.__module__ == "acme_shop.connector"


def test_the_guide_sop_validates_cleanly_against_the_connector(shop: ConnectorSpec) -> None:
    assert validate(guide_files()["sops/replacement-order.yml"], shop) == set()


@pytest.mark.parametrize(
    ("mistake", "fixed", "code"),
    [
        (
            '      sku: "{{ inputs.sku }}"\n    save_as: stock',
            '      skus: "{{ inputs.sku }}"\n    save_as: stock',
            "SOP202",
        ),
        ("in {{ stock.warehouse }}", "in {{ stock.shelf }}", "SOP206"),
        ("      quantity: 1\n", "      quantity: 9\n", "SOP410"),
        ("allow: [shop.get_stock, shop.reserve_stock]", "allow: [shop.get_stock]", "SOP407"),
    ],
    ids=[
        "misspelt argument",
        "undeclared result field",
        "literal over a limit",
        "write not allowed",
    ],
)
def test_the_validator_catches_what_the_guide_says(
    shop: ConnectorSpec, mistake: str, fixed: str, code: str
) -> None:
    sop = guide_files()["sops/replacement-order.yml"]
    assert mistake in sop
    assert code in validate(sop.replace(mistake, fixed, 1), shop)


def test_a_reference_to_a_missing_module_is_refused_in_one_line() -> None:
    with pytest.raises(CatalogueError, match="cannot load connector 'acme_nowhere:SHOP'"):
        load_reference("acme_nowhere:SHOP")


def test_the_catalogue_table_lists_every_built_in_operation() -> None:
    listed = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", GUIDE.read_text(), re.M))
    assert listed == {
        operation.name for spec in BUILTIN_CONNECTORS for operation in spec.operations
    }
