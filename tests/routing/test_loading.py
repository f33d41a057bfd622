"""The embeddings load from the files inside their wheels (wordllama's, and the multilingual
sentence encoder's): with no cache folder and no network at all, routing still works, and
nothing is downloaded or written."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from bot.routing.embedding import encoders

NO_NETWORK = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("routing tried the network")

    socket.socket.connect = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from bot.routing.embedding import encoders

    for encode in encoders():
        query, *phrases = encode(
            ["my order arrived broken, refund it", "book time off", "refund an order"]
        )
        print(max(range(2), key=lambda number: float(phrases[number] @ query)))
    """
)


def test_the_embeddings_load_offline_from_the_wheels_without_writing_a_cache(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", NO_NETWORK],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1"], "for both, the refund phrase is the closer one"
    assert list(home.iterdir()) == [], "nothing downloaded into a cache"


def test_the_embeddings_are_loaded_once_per_process() -> None:
    first, second = encoders(), encoders()
    assert all(a is b for a, b in zip(first, second, strict=True))
