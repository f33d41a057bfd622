"""Static word embeddings that ship inside the wordllama wheel: no model server, no network.

The wheel carries its weights under ``wordllama/weights`` and its tokenizer under
``wordllama/tokenizers``, but the loader looks for the tokenizer in a ``tokenizer`` folder
first; pointing ``cache_dir`` at the package itself finds both, and downloads stay off, so
a missing file is an error instead of a fetch. Loaded once per process, on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """What routing needs of wordllama: texts in, one vector per text out."""

    def embed(self, texts: Sequence[str], norm: bool = ...) -> Vectors: ...


_LOCK = threading.Lock()


def packaged_files() -> Path:
    """The folder of the installed wordllama package (it holds weights/ and tokenizers/)."""
    import wordllama

    return Path(wordllama.__file__).parent


def embedder() -> Embedder:
    """The process's one embedder, loaded from the wheel on first use (about half a second)."""
    with _LOCK:
        return _load()


@cache
def _load() -> Embedder:
    from wordllama import WordLlama

    loaded: Embedder = WordLlama.load(cache_dir=packaged_files(), disable_download=True)
    return loaded
