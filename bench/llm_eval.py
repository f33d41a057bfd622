"""How well sopbot reads free text: routing requests to procedures, offline or with a model.

    .venv/bin/python bench/llm_eval.py                      # offline router (no endpoint)
    .venv/bin/python bench/llm_eval.py --endpoint URL --model NAME --api-key-env VAR
    .venv/bin/python bench/llm_eval.py --endpoint URL --model NAME --response-format json_object
    .venv/bin/python bench/llm_eval.py --endpoint URL --model NAME --parts routing --every 6

Routing: every line of ``bench/data/routing.jsonl`` (a request as people type it, and the
procedure it asks for, a list of acceptable ones when it is ambiguous, or null when none of
the sample procedures does it) is routed over the sample SOPs in ``sops/``. Figures, each
printed with the router or model that earned it: top-1 (the first candidate is acceptable
and the request was not refused), top-3 (an acceptable one among the three shown),
out-of-scope refused, in-scope wrongly refused, and confident-but-wrong (the share that
would have started the wrong procedure without asking). The lines alternate between a
tuning half (even lines, the only ones the offline figures were tuned on) and a held-out
half (odd lines); both are reported. Goals: offline top-1 >= 85% and top-3 >= 97%; with a
model top-1 >= 95%.

Each part of the evaluation is one function (``routing`` here; ``compile_part`` and
``injection_part`` in ``bench/llm_eval_compile.py``); the CLI runs them in turn, the compile
and injection parts with the model of ``--endpoint`` ("skipped: no model" offline).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import BenchError, machine_line, run_cli
from llm_eval_compile import compile_part, injection_part

from bot.config import SettingsProblem
from bot.llm.models import Model, Models
from bot.llm.settings import Feature, ResponseFormat, load_llm_settings
from bot.procedure.model import Procedure
from bot.routing.embedding import warm
from bot.routing.model import ModelRouter
from bot.routing.offline import OfflineRouter
from bot.routing.route import Route, Router
from bot.validation.validator import validate_paths

REPO = Path(__file__).resolve().parent.parent
ROUTING_SET = REPO / "bench" / "data" / "routing.jsonl"


@dataclass(frozen=True)
class Request:
    """One labelled line: the text and the procedure ids that count as right (none: refuse)."""

    text: str
    acceptable: tuple[str, ...]
    held_out: bool


@dataclass
class Tally:
    """Counts for one half of the set."""

    in_scope: int = 0
    top1: int = 0
    top3: int = 0
    wrongly_refused: int = 0
    confident_wrong: int = 0
    out_of_scope: int = 0
    refused: int = 0
    unanswered: int = 0

    def lines(self, label: str, router: str) -> list[str]:
        return [
            f"{router} | {label} | top-1 {_share(self.top1, self.in_scope)}",
            f"{router} | {label} | top-3 {_share(self.top3, self.in_scope)}",
            f"{router} | {label} | out-of-scope refused {_share(self.refused, self.out_of_scope)}",
            f"{router} | {label} | in-scope wrongly refused "
            f"{_share(self.wrongly_refused, self.in_scope)}",
            f"{router} | {label} | confident but wrong (would start the wrong SOP) "
            f"{_share(self.confident_wrong, self.in_scope)}",
            f"{router} | {label} | no usable answer "
            f"{_share(self.unanswered, self.in_scope + self.out_of_scope)}",
        ]


def load_requests(path: Path = ROUTING_SET) -> list[Request]:
    """The labelled set; a malformed line is a BenchError naming the line."""
    requests = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        try:
            row = json.loads(line)
            expected = row["expected"]
            text = row["text"]
        except (ValueError, KeyError) as error:
            raise BenchError(f"{path.name} line {number + 1}: {error}") from None
        acceptable = tuple(expected) if isinstance(expected, list) else (expected,)
        requests.append(Request(text, tuple(a for a in acceptable if a), number % 2 == 1))
    return requests


def sample_procedures() -> list[Procedure]:
    """The sample SOPs, as the library serves them (every person may start each)."""
    report = validate_paths([REPO / "sops"])
    return [loaded.procedure for loaded in report.files if loaded.procedure is not None]


def routing(router: Router, requests: Sequence[Request], procedures: list[Procedure]) -> int:
    """Route every request and print the figures; 0 when the goals are met, else 1."""
    halves = {"tuning half": Tally(), "held-out half": Tally(), "all": Tally()}
    seconds = []
    for request in requests:
        began = time.perf_counter()
        try:
            found: Route | None = router.route(request.text, procedures)
        except NoAnswer:
            found = None
        seconds.append(time.perf_counter() - began)
        for label in ("held-out half" if request.held_out else "tuning half", "all"):
            _count(halves[label], request, found)
    for label, tally in halves.items():
        print(
            "\n".join(tally.lines(f"{label} ({tally.in_scope + tally.out_of_scope})", router.name))
        )
    seconds.sort()
    print(
        f"{router.name} | per request: median {statistics.median(seconds) * 1000:.2f} ms, "
        f"slowest {seconds[-1] * 1000:.2f} ms"
    )
    whole = halves["all"]
    top1 = whole.top1 / whole.in_scope
    if isinstance(router, OfflineRouter):
        return 0 if top1 >= 0.85 and whole.top3 / whole.in_scope >= 0.97 else 1
    return 0 if top1 >= 0.95 else 1


def _count(tally: Tally, request: Request, found: Route | None) -> None:
    """``found`` counted for ``request``; ``None`` (no usable answer) is a miss either way."""
    tally.unanswered += found is None
    refused = found is not None and found.out_of_scope
    if not request.acceptable:
        tally.out_of_scope += 1
        tally.refused += refused
        return
    tally.in_scope += 1
    if found is None:
        return
    ranked = [candidate.procedure.id for candidate in found.candidates]
    confident = found.confident
    if refused:
        tally.wrongly_refused += 1
        return
    tally.top1 += ranked[0] in request.acceptable
    tally.top3 += any(name in request.acceptable for name in ranked[:3])
    tally.confident_wrong += confident and ranked[0] not in request.acceptable


def _share(part: int, whole: int) -> str:
    return f"{part / whole:6.1%} ({part}/{whole})" if whole else "   n/a"


def offline_router() -> Router:
    """The offline router, its embeddings loaded (and the load timed) before any request."""
    began = time.perf_counter()
    warm()
    print(f"offline embeddings loaded in {time.perf_counter() - began:.2f} s")
    return OfflineRouter()


class NoAnswer(Exception):
    """The model gave no usable answer to one request."""


@dataclass(frozen=True)
class NoFallback:
    """In the benchmark a model that gives no answer is counted as such (a miss, and never
    a refusal): the figures are the model's own, never the offline router's in disguise."""

    endpoint: str
    name: str = "no fallback"

    def route(self, text: str, procedures: Sequence[Procedure]) -> Route:
        raise NoAnswer(text)


def endpoint_models(
    endpoint: str, model: str, api_key_env: str, response_format: str = "json_schema"
) -> Models:
    """The models on an OpenAI-compatible endpoint, every feature on ``model``."""
    key = os.environ.get(api_key_env) if api_key_env else None
    if api_key_env and not key:
        raise BenchError(f"{api_key_env} is not set: export the endpoint's API key in it")
    try:
        settings = load_llm_settings(
            base_url=endpoint, api_key=key, model=model, response_format=response_format
        )
    except SettingsProblem as problem:
        raise BenchError(str(problem)) from None
    return Models.configured(settings)


def model_router(models: Models, endpoint: str) -> Router:
    """The model router on the endpoint's routing model."""
    chosen = models.model_for(Feature.ROUTING)
    assert chosen is not None, "a base URL configures a model"
    return ModelRouter(chosen, lambda usage: None, NoFallback(endpoint))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="an OpenAI-compatible base URL; offline without")
    parser.add_argument("--model", help="the model name at that endpoint")
    parser.add_argument("--api-key-env", default="", help="the variable holding the API key")
    parser.add_argument(
        "--parts",
        default="routing,compile,injection",
        help="which parts to run, comma-separated (a slow local model: routing alone)",
    )
    parser.add_argument(
        "--every",
        type=int,
        default=1,
        help="route every Nth pair of labelled requests only (a slow local model)",
    )
    parser.add_argument(
        "--response-format",
        choices=[way.value for way in ResponseFormat],
        default=ResponseFormat.JSON_SCHEMA.value,
        help="how the endpoint is asked for JSON (json_object: llama-cpp-python's server)",
    )
    arguments = parser.parse_args()
    print(machine_line())
    compiling: Model | None = None
    if arguments.endpoint:
        if not arguments.model:
            raise BenchError("--endpoint needs --model NAME")
        models = endpoint_models(
            arguments.endpoint, arguments.model, arguments.api_key_env, arguments.response_format
        )
        router = model_router(models, arguments.endpoint)
        compiling = models.model_for(Feature.COMPILE)
    else:
        router = offline_router()
    parts = {part.strip() for part in arguments.parts.split(",")}
    if unknown := parts - {"routing", "compile", "injection"}:
        raise BenchError(f"--parts: no part {', '.join(sorted(unknown))}")
    failed = 0
    if "routing" in parts:
        every = max(1, arguments.every)  # by pairs of lines: both halves keep their share
        requests = [r for n, r in enumerate(load_requests()) if (n // 2) % every == 0]
        print(f"routing: {len(requests)} labelled requests, {ROUTING_SET.relative_to(REPO)}")
        failed |= routing(router, requests, sample_procedures())
    if "compile" in parts:
        failed |= compile_part(compiling)
    if "injection" in parts:
        failed |= injection_part(compiling)
    return failed


if __name__ == "__main__":
    run_cli(main)
