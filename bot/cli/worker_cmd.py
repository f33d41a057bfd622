"""``sopbot worker``: a headless process that does the engine's due work until stopped.

This is how sopbot scales out: any number of stateless workers share one PostgreSQL
database (or, on one machine, a SQLite file). Each claims one due timer at a time under a
lease, so no timer fires twice, and the work of a worker that dies is taken over once its
lease runs out. SIGTERM or SIGINT lets the timer in hand finish, then the process exits 0.
Chat output goes to the log, one line per message.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bot.chat.messages import Message, MessageRef
from bot.chat.once import PostedKeys

if TYPE_CHECKING:
    from bot.clock.time import Clock
    from bot.config import Settings
    from bot.engine.engine import Engine

log = logging.getLogger("sopbot.worker")
DEFAULT_POLL_SECONDS = 1.0
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "worker",
        help="do due work without a chat surface (run several to scale out)",
        description="Claim and do due work (runs, messages, SLA clocks, schedules) on the "
        "shared database until stopped. Run several on one PostgreSQL database to scale out. "
        "SIGTERM or Ctrl-C finishes the work in hand, then exits.",
    )
    parser.add_argument("--sops", help="folder of SOP files (default: sops/)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: SOPBOT_DATABASE_URL)")
    parser.add_argument(
        "--worker-id", help="this process's name in leases (default: host:pid:random)"
    )
    parser.add_argument(
        "--once", action="store_true", help="do what is due now, then exit (for cron or a test)"
    )
    parser.add_argument(
        "--poll",
        type=_positive_seconds,
        default=DEFAULT_POLL_SECONDS,
        metavar="SECONDS",
        help="when idle, look for work other processes added this often "
        f"(default: {DEFAULT_POLL_SECONDS:g})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.clock.time import SystemClock
    from bot.config import SettingsProblem, load_settings

    configure_logging(logging.StreamHandler(sys.stderr))
    overrides = {
        name: value
        for name, value in (
            ("sops_dir", args.sops),
            ("database_url", args.database),
            ("worker_id", args.worker_id),
        )
        if value
    }
    try:
        settings = load_settings(**overrides)
    except SettingsProblem as problem:
        log.error("%s", problem)
        return 2
    return run_worker(settings, SystemClock(), once=args.once, poll=args.poll)


def configure_logging(handler: logging.Handler) -> None:
    """Send INFO and above, one line per record, to ``handler`` (Alembic only if it warns)."""
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def run_worker(settings: Settings, clock: Clock, *, once: bool, poll: float) -> int:
    """Open the engine on ``settings`` and serve until SIGTERM or SIGINT; the exit code.

    2 for a setting sopbot cannot use, 1 for a database that cannot be used.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bot.catalogue.registry import CatalogueError

    if not settings.sops_dir.is_dir():
        log.error("no SOP folder at %s (set --sops or SOPBOT_SOPS_DIR)", settings.sops_dir)
        return 2
    from storage.outages import DatabaseOutage, describe, retrying

    stop = StopRequest()
    with _stopping_on_signals(stop):
        try:  # a database restarting, or locked by a backup, is waited for a few seconds
            engine = retrying(lambda: open_engine(settings, clock), what="opening the database")
        except (CatalogueError, ValueError, OSError) as error:
            log.error("%s", error)
            return 2
        except (SQLAlchemyError, DatabaseOutage) as error:
            cause = error.__cause__ if isinstance(error, DatabaseOutage) else error
            log.error("cannot open the database: %s", describe(cause or error))
            return 1
        worker_id = engine.runtime.worker_id
        log.info(
            "worker %s serving %d procedures on %s",
            worker_id,
            len(engine.runtime.library.procedures),
            engine.runtime.database.url.render_as_string(hide_password=True),
        )
        try:
            handled = serve(engine, stop, once=once, poll=poll)
        except (SQLAlchemyError, DatabaseOutage) as error:
            log.error("database problem: %s", describe(error))
            return 1
        finally:
            engine.runtime.close()
    log.info("worker %s stopped after %d timers", worker_id, handled)
    return 0


class StopRequest:
    """Asks the worker loop to stop after the timer in hand.

    Setting it only writes an attribute, so a signal handler may do it: a
    ``threading.Event`` takes a lock that the interrupted main thread may be holding.
    """

    def __init__(self) -> None:
        self.requested = False

    def request(self, *_: object) -> None:
        self.requested = True


@contextmanager
def _stopping_on_signals(stop: StopRequest) -> Iterator[None]:
    """SIGTERM and SIGINT request a stop instead of ending the process; restored afterwards."""
    previous = {
        signum: signal.signal(signum, stop.request) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def open_engine(settings: Settings, clock: Clock) -> Engine:
    """The engine on the configured database, SOP library and connectors. With Slack
    tokens set it posts to Slack and does recorded Slack requests too; without, its chat
    is the log."""
    from bot.engine.runtime import default_worker_id
    from bot.wiring import assemble

    worker_id = settings.worker_id or default_worker_id()
    settings = settings.model_copy(update={"worker_id": worker_id})
    engine = (
        _slack_worker(settings, clock)
        if settings.slack_enabled
        else assemble(
            settings, clock=clock, chat=lambda _database, _directory: LogChat(worker_id)
        ).engine
    )
    for diagnostic in engine.runtime.library.diagnostics:
        if diagnostic.severity == "error":
            log.warning("skipped: %s", diagnostic.render())
    return engine


def _slack_worker(settings: Settings, clock: Clock) -> Engine:
    """A worker for a Slack deployment: the same chat and people as the serving process, and
    the inbox of recorded Slack requests among the work it claims."""
    from bot.app.door import FrontDoor
    from bot.app.inbox import register_inbox
    from bot.wiring import assemble
    from handlers.slack.process import slack_people_and_chat

    _client, directory, chat = slack_people_and_chat(settings)
    sopbot = assemble(
        settings, clock=clock, chat=lambda _database, _people: chat, directory=directory
    )
    register_inbox(sopbot.engine, FrontDoor(sopbot.engine, directory, chat))
    return sopbot.engine


def serve(engine: Engine, stop: StopRequest, *, once: bool, poll: float) -> int:
    """Handle due timers one at a time until a stop is requested; how many were handled.

    One claim per timer keeps a stop prompt and spreads work evenly over several workers.
    An idle worker looks again after at most ``poll`` seconds (so it stops within that).
    With ``once`` it returns as soon as nothing is due. A database outage in the loop is
    logged and retried after ``poll`` seconds (``once``: it is raised).
    """
    from storage.outages import describe, is_outage

    handled = 0
    while not stop.requested:
        try:
            if engine.worker.run_due(batch=1, max_rounds=1):
                handled += 1
                continue
            idle = _seconds_to_next_work(engine, poll)
        except Exception as error:
            if once or not is_outage(error):
                raise
            log.warning("database problem, retrying in %gs: %s", poll, describe(error))
            idle = poll
        if once:
            break
        time.sleep(idle)
    return handled


def _seconds_to_next_work(engine: Engine, poll: float) -> float:
    """Sleep until the next timer falls due or a lease ends, but at most ``poll`` seconds."""
    from storage import timers

    runtime = engine.runtime
    with runtime.database.session(read_only=True) as session:
        moment = timers.next_claimable_at(session)
    if moment is None:
        return poll
    return min(poll, max(0.0, (moment - runtime.clock.now()).total_seconds()))


class LogChat:
    """The ChatPort of a headless worker: every message is one INFO line of ``sopbot.chat``.

    It remembers keys only in memory; across workers, the outbox's delivery record in the
    database keeps a message from being logged twice (``bot.engine.notify.deliver``).
    """

    def __init__(self, source: str) -> None:
        self._source = source
        self._ids = itertools.count(1)
        self._keys = PostedKeys()
        self._log = logging.getLogger("sopbot.chat")

    def post(self, message: Message, *, key: str) -> MessageRef:
        return self._keys.post_once(key, lambda: self._write(message))

    def _write(self, message: Message) -> MessageRef:
        ref = MessageRef(to=message.to, id=f"{self._source}-{next(self._ids)}")
        self._log.info("%s %s to %s: %s", message.kind, ref.id, message.to, one_line(message))
        return ref

    def update(self, ref: MessageRef, message: Message) -> None:
        self._log.info("update %s to %s: %s", ref.id, ref.to, one_line(message))


def one_line(message: Message) -> str:
    """The message's text and card as one log line."""
    parts = [message.text]
    card = message.card
    if card is not None:
        parts.append(f"[{card.title}] {card.summary}")
        parts.extend(f"{label}: {value}" for label, value in card.fields)
        if card.footer:
            parts.append(card.footer)
    return " | ".join(" ".join(part.split()) for part in parts)


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"give a number of seconds above 0, up to 3600: {text}")
    return seconds
