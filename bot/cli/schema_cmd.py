"""``sopbot schema``: write the JSON Schema of SOP files for editors."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_SCHEMA_PATH = Path("schema/sop.schema.json")


def schema_json() -> str:
    """The JSON Schema of an SOP file, as stable, sorted text."""
    from bot.procedure.model import Procedure

    schema = Procedure.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sopbot procedure"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "schema",
        help="write the JSON Schema of SOP files",
        description="Write the JSON Schema of SOP files; point your editor's YAML plugin at it.",
    )
    parser.add_argument(
        "-o",
        "--output",
        default=str(DEFAULT_SCHEMA_PATH),
        help=f"file to write, or - for stdout (default: {DEFAULT_SCHEMA_PATH})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = schema_json()
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(f"wrote {output}")
    return 0
