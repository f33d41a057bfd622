"""The sandbox's generic HTTP request: it never leaves the machine.

Every request is kept in the call log (header values masked) and answered ``200`` with an
echo of the method, URL, JSON body and header names, so a procedure that posts to a webhook
runs end to end and shows what it would have sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.catalogue.builtin.http import RequestArgs, Response
from bot.connectors.sandbox.store import Handler, Store


def request(store: Store, args: RequestArgs, now: dt.datetime) -> Response:
    echo = {
        "method": args.method,
        "url": args.url,
        "json": args.json_body,
        "header_names": sorted(args.headers),
    }
    return Response(status=200, body={"sandbox": True, "echo": echo})


HANDLERS: Mapping[str, Handler] = {"http.request": request}
