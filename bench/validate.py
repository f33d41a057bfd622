"""sopbot validate: 1,000 realistic procedures in one process, and the CLI's cold start.

    .venv/bin/python bench/validate.py [--files N] [--rounds R] [--profile]

Each generated procedure has about 20 steps of every kind (reads, writes with failure
rules, computed values, decisions, an approval, a human task, a wait, an escalation), SLA
clocks, limits and templates. Names differ from file to file, so the expression caches do
not make the run trivial. Like a real library the files are clean by every rule (the
conditions test values their fields can have, and a task that may time out is read behind
an ``is defined`` guard) except that about one file in ten carries a typo, one finding
each, so the finding paths run too. Goals: 1,000 files in under 2 s
(measured on one process and on every core, as ``sopbot validate`` runs); ``sopbot validate sops/`` starts in under 0.5 s.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from _common import machine_line, run_cli

from bot.catalogue.registry import build_catalogue
from bot.procedure.loader import load_file
from bot.validation.validator import check_loaded, validate_paths

REPO = Path(__file__).resolve().parent.parent
CORES = os.cpu_count() or 1
READS = [  # operation, its argument, fields of its result (the first one identifies it),
    # when the record is already closed, and when its response clock applies (each condition
    # tests values the field can have: the type and choice checks find nothing to report)
    (
        "crm.get_order",
        "order_id",
        ["id", "total", "status", "currency"],
        "{v}.status in ['cancelled', 'refunded']",
        "{v}.total > 0",
    ),
    (
        "crm.get_account",
        "account_id",
        ["id", "tier", "owner", "risk_score"],
        "{v}.risk_score >= 90",
        "{v}.tier != 'free'",
    ),
    (
        "crm.get_ticket",
        "ticket_id",
        ["id", "priority", "status", "subject"],
        "{v}.status in ['closed', 'solved']",
        "{v}.priority != 'low'",
    ),
    (
        "crm.get_invoice",
        "invoice_id",
        ["id", "amount", "days_overdue", "status"],
        "{v}.status in ['paid', 'void']",
        "{v}.days_overdue > 0",
    ),
    (
        "jira.get_issue",
        "key",
        ["key", "status", "priority", "summary"],
        "{v}.status in ['Done', 'Closed']",
        "{v}.priority != 'Lowest'",
    ),
]


def procedure(number: int, seed: int, rng: random.Random) -> dict[str, Any]:
    """One realistic procedure; ``number`` and the library's ``seed`` make its names unique,
    so no expression repeats from one library to the next and the expression caches,
    warm from an earlier round, cannot make a later one look faster."""
    tag = f"s{seed}p{number}"
    inputs = {f"{tag}_ref": {"type": "string", "prompt": "Which record?"}}
    inputs[f"{tag}_amount"] = {"type": "number", "minimum": 1, "maximum": 10_000}
    steps: list[dict[str, Any]] = []
    saved: list[tuple[str, list[str]]] = []
    conditions: list[tuple[str, str]] = []  # (closed, response clock applies) of each read
    for index, (action, argument, fields, closed, applies) in enumerate(rng.sample(READS, 4)):
        name = f"{tag}_{action.split('.')[1].removeprefix('get_')}_{index}"
        source = f"{{{{ inputs.{tag}_ref }}}}"
        if saved:
            source = f"{{{{ {saved[-1][0]}.{saved[-1][1][0]} }}}}"
        steps.append(
            {
                "id": f"read_{index}_{tag}",
                "action": action,
                "with": {argument: source},
                "save_as": name,
                "on_failure": {"then": "escalate", "retry": {"attempts": rng.randint(1, 4)}},
            }
        )
        saved.append((name, fields))
        conditions.append((closed.format(v=name), applies.format(v=name)))
    first, second = saved[0], saved[1]
    steps.append(
        {
            "id": f"compute_{tag}",
            "set": {
                f"{tag}_limit": rng.randint(100, 900),
                f"{tag}_big": f"{{{{ inputs.{tag}_amount > {rng.randint(100, 900)} }}}}",
                f"{tag}_label": f"{{{{ {first[0]}.{first[1][3]} | default('n/a') | upper }}}}",
            },
        }
    )
    steps.append(
        {
            "id": f"route_{tag}",
            "decide": [
                {
                    "when": f"{tag}_big and {second[0]}.{second[1][0]} != 'x'",
                    "goto": f"approve_{tag}",
                },
                {"when": conditions[0][0], "goto": f"close_{tag}"},
            ],
            "otherwise": f"note_{tag}",
        }
    )
    steps.append(
        {
            "id": f"approve_{tag}",
            "approval": {
                "approvers": ["role:approvers"],
                "summary": f"Approve {{{{ inputs.{tag}_amount }}}} for {{{{ {first[0]}.{first[1][0]} }}}}",
                "facts": {"Label": f"{{{{ {tag}_label }}}}", "Limit": f"{{{{ {tag}_limit }}}}"},
                "timeout": f"{rng.randint(1, 3)}d",
                "on_timeout": "escalate",
                "on_reject": f"goto:close_{tag}",
            },
        }
    )
    for index in range(3):
        steps.append(
            {
                "id": f"note_{tag}" if index == 0 else f"note_{index}_{tag}",
                "action": "crm.add_note",
                "with": {
                    "object_type": "account",
                    "object_id": f"{{{{ {saved[index][0]}.{saved[index][1][0]} }}}}",
                    "body": f"Step {index} of {tag}: {{{{ {tag}_label }}}} ({{{{ run.id }}}})",
                },
                "on_failure": "skip",
            }
        )
    steps.append(
        {
            "id": f"post_{tag}",
            "action": "slack.post",
            "with": {
                "channel": "#ops",
                "text": f"{{{{ {saved[2][0]}.{saved[2][1][1]} }}}} handled for {{{{ inputs.{tag}_ref }}}}",
            },
            "on_failure": {"then": "escalate", "to": ["role:leads"]},
        }
    )
    steps.append(
        {
            "id": f"call_{tag}",
            "task": {
                "assignee": "role:leads",
                "instructions": f"Call about {{{{ inputs.{tag}_ref }}}}; label {{{{ {tag}_label }}}}.",
                "fields": {
                    "reached": {"type": "boolean"},
                    "notes": {"type": "text", "required": False},
                },
                "due": "2d",
                "on_timeout": "skip",
            },
            "save_as": f"{tag}_call",
        }
    )
    steps.append(
        {
            "id": f"settle_{tag}",
            "wait": {
                "until": f"{tag}_fresh.status == 'settled' or ({tag}_call is defined and {tag}_call.reached)",
                "refresh": {
                    "action": "crm.get_ticket",
                    "with": {"ticket_id": f"{{{{ inputs.{tag}_ref }}}}"},
                    "save_as": f"{tag}_fresh",
                },
                "check_at": ["1d", "3d", "7d"],
                "timeout": "10d",
                "on_timeout": "escalate",
            },
            "on_failure": "escalate",
        }
    )
    steps.append(
        {
            "id": f"hand_over_{tag}",
            "when": f"{tag}_call is undefined or not {tag}_call.reached",
            "escalate": {
                "reason": f"Nobody reached the customer of {{{{ inputs.{tag}_ref }}}}",
                "context": {"Notes": f"{{{{ {tag}_call.notes | default('') }}}}"},
                "continue": True,
            },
        }
    )
    for index in range(rng.randint(3, 5)):
        steps.append(
            {
                "id": f"extra_{index}_{tag}",
                "set": {f"{tag}_extra_{index}": f"{{{{ {tag}_limit * {index + 1} }}}}"},
            }
        )
    steps.append(
        {
            "id": f"close_{tag}",
            "action": "jira.create_issue",
            "with": {
                "project": "OPS",
                "summary": f"Close {tag} {{{{ inputs.{tag}_ref }}}}",
                "labels": [tag, "ops"],
            },
            "on_failure": {"then": "stop", "reason": f"Could not file {tag}"},
        }
    )
    steps.append({"id": f"done_{tag}", "end": "completed", "message": f"{tag} done"})
    if rng.random() < 0.1:  # a typo, as real libraries have (on a step that saves nothing,
        # so that it is one finding, not also every later read of what it would save)
        quiet = [step for step in steps if "save_as" not in step and "set" not in step]
        rng.choice(quiet)["when"] = f"{tag}_lable == 'x'"
    return {
        "id": f"procedure-{number}",
        "title": f"Procedure {number}",
        "owner": "S0TEAM01",
        "version": rng.randint(1, 9),
        "review": {"every": "180d", "last_reviewed": "2026-10-01"},
        "mode": rng.choice(["shadow", "assist", "autonomous"]),
        "trigger": {"command": f"procedure-{number}", "intents": [f"handle {tag}"]},
        "inputs": inputs,
        "roles": {"approvers": ["U0APPR01", "U0APPR02"], "leads": ["U0LEAD01"]},
        "permissions": {
            "allow": ["crm.add_note", "slack.post", "jira.create_issue"],
            "never": ["crm.refund"],
            "limits": {"slack.post": {"text": {"max_length": 4000}}},
        },
        "guardrails": {"forbidden_phrases": ["guaranteed", "our fault"]},
        "escalation": {"to": ["role:leads"]},
        "sla": [
            {
                "id": f"response_{tag}",
                "applies_when": conditions[0][1],
                "deadline": f"{rng.randint(1, 8)}h",
                "stops_at": f"post_{tag}",
                "warn_before": ["30m"],
                "escalations": [
                    {"after": "1h", "to": ["role:leads"], "message": f"{tag} is waiting"},
                    {"after": "breach", "to": ["#ops-escalations"]},
                ],
            }
        ],
        "steps": steps,
    }


def write_library(folder: Path, count: int, seed: int) -> tuple[int, int]:
    """Write ``count`` procedures; returns (steps, lines) written."""
    rng = random.Random(seed)
    steps = lines = 0
    for number in range(count):
        data = procedure(number, seed, rng)
        text = yaml.safe_dump(data, sort_keys=False, width=100)
        (folder / f"procedure-{number}.yml").write_text(text)
        steps += len(data["steps"])
        lines += text.count("\n")
    return steps, lines


def _cpu_split(folder: Path) -> tuple[float, float]:
    """CPU seconds spent loading the files, and running the rules on them (collector paused,
    as validate_paths does)."""
    catalogue = build_catalogue()
    loading = rules = 0.0
    gc.disable()
    try:
        for path in sorted(folder.iterdir()):
            started = time.process_time()
            loaded = load_file(path)
            loaded_at = time.process_time()
            check_loaded(loaded, catalogue=catalogue)
            loading += loaded_at - started
            rules += time.process_time() - loaded_at
    finally:
        gc.enable()
    return loading, rules


def best_times(command: list[str], rounds: int) -> tuple[float, float]:
    """The best wall and CPU seconds of ``rounds`` runs of a command: the runs least
    disturbed by other work on the machine."""
    walls, cpus = [], []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many timings")
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args()
    print(machine_line())

    with tempfile.TemporaryDirectory(prefix="sopbot-bench-") as scratch:
        warm = Path(scratch) / "warm"
        warm.mkdir()
        write_library(warm, 20, seed=0)
        validate_paths([warm])  # imports, the model's schema and the catalogue, once

        walls, cpus, splits, shared = [], [], [], []
        for round_number in range(1, args.rounds + 1):
            folder = Path(scratch) / f"round-{round_number}"
            folder.mkdir()
            steps, lines = write_library(folder, args.files, seed=round_number)
            started, cpu = time.perf_counter(), time.process_time()
            report = validate_paths([folder])  # new names every round: no cache helps
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            again = Path(scratch) / f"cores-{round_number}"
            again.mkdir()
            write_library(again, args.files, seed=2000 + round_number)
            started = time.perf_counter()
            validate_paths([again], jobs=CORES)  # as `sopbot validate` checks a library
            shared.append(time.perf_counter() - started)
            other = Path(scratch) / f"split-{round_number}"
            other.mkdir()
            write_library(other, args.files, seed=1000 + round_number)
            splits.append(_cpu_split(other))
        print(
            f"library: {args.files} files, {steps / args.files:.1f} steps and "
            f"{lines / args.files:.0f} lines per file"
        )
        wall, cpu_total = min(walls), min(cpus)
        load, rules = min(splits)
        print(
            f"validate_paths: {wall:.2f} s wall ({cpu_total:.2f} s CPU) for {args.files} files "
            f"= {args.files / wall:,.0f} files/s (goal: 1,000 files < 2 s); "
            f"{report.error_count} errors, {report.warning_count} warnings found"
        )
        print(
            f"  on {CORES} processes (sopbot validate's default): {min(shared):.2f} s wall, "
            f"ratio to one process {min(shared) / wall:.2f}x (goal: < 2 s)"
        )
        print(
            f"  CPU per file: loading (YAML with positions + model) "
            f"{load / args.files * 1e3:.2f} ms, rules {rules / args.files * 1e3:.2f} ms"
        )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(validate_paths, [folder])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    sopbot = shutil.which("sopbot", path=str(Path(sys.executable).parent)) or "sopbot"
    sops = REPO / "sops"
    with tempfile.TemporaryDirectory(prefix="sopbot-bench-empty-") as empty:
        target = "sops/" if sops.is_dir() else empty
        command = [sopbot, "validate", target]
        cold, cold_cpu = best_times(command, args.rounds + 2)
        bare, bare_cpu = best_times([sys.executable, "-c", "pass"], args.rounds + 2)
    shown = "sopbot validate sops/" if target == "sops/" else "sopbot validate (empty folder)"
    print(
        f"cold start: {shown} {cold:.2f} s wall ({cold_cpu:.2f} s CPU), python -c pass "
        f"{bare:.2f} s ({bare_cpu:.2f} s CPU), ratio {cold / bare:.1f}x (goal: < 0.5 s)"
    )
    return 0


if __name__ == "__main__":
    run_cli(main)
