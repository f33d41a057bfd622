"""Acme's order system for sopbot: the ``orders`` namespace, registered through the
``sopbot.connectors`` entry point (``orders = "acme_orders:ORDERS"``)."""

from bot.catalogue.operation import ConnectorSpec

from acme_orders.connector import connect
from acme_orders.operations import CANCEL_ORDER, CREATE_REPLACEMENT, GET_ORDER, LIST_LINES

ORDERS = ConnectorSpec(
    namespace="orders",
    title="Acme order system",
    operations=(GET_ORDER, LIST_LINES, CREATE_REPLACEMENT, CANCEL_ORDER),
    factory=connect,
)

__all__ = ["ORDERS"]
