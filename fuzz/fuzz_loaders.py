"""Coverage-guided fuzzing of every loader with atheris: ``python fuzz/fuzz_loaders.py [libFuzzer options]``.

Each input is a mode byte and bytes (see ``tests/formats/fuzz_target.py``): a file for `loads`, msgpack
content framed as a valid ``.dvd`` (so mutations reach the fields, not just the checksum), a ``.meta.json``
or S3 metadata. A third of the mutations are structural: the input is decoded (msgpack or JSON), one node
is replaced by a hostile value, and it is encoded again. The corpus starts from the real recordings in
``tests/formats/seeds/`` and the reproducers in ``tests/formats/hostile/``, and grows in ``fuzz/corpus/``
(git-ignored). A crash leaves ``crash-*`` with the input; turn it into a regression test.

    pip install -e '.[dev,fuzz]'
    nice -n 19 python fuzz/fuzz_loaders.py -max_total_time=1800 -rss_limit_mb=1024 -timeout=30
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["playback_dvd"]):
    from tests.formats import fuzz_target

import msgpack  # noqa: E402  # after the instrumented imports

CORPUS = Path(__file__).parent / "corpus"


def _structural(data: bytes, rng: random.Random) -> bytes | None:
    mode, payload = data[0] % len(fuzz_target.MODES), data[1:]
    path = [rng.randrange(64) for _ in range(rng.randrange(1, 7))]
    replacement = rng.choice(fuzz_target.PALETTE)
    try:
        if mode == fuzz_target.FRAMED_MSGPACK:
            value = msgpack.unpackb(payload, raw=False, strict_map_key=False)
            return data[:1] + fuzz_target.packed(fuzz_target.mutate_value(value, path, replacement))
        value = json.loads(payload)
        if isinstance(replacement, bytes):
            replacement = replacement.decode("latin-1")
        mutated = fuzz_target.mutate_value(value, path, replacement)
        return data[:1] + json.dumps(mutated, allow_nan=True).encode("utf-8")
    except (ValueError, TypeError, RecursionError, msgpack.UnpackException, OverflowError):
        return None


def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
    """A structural mutation a third of the time, else libFuzzer's own."""
    rng = random.Random(seed)
    if data and rng.random() < 1 / 3:
        mutated = _structural(data, rng)
        if mutated is not None and len(mutated) <= max_size:
            return mutated
    return bytes(atheris.Mutate(data, max_size))


def main() -> None:
    """Seed the corpus (first run), then fuzz until libFuzzer's options say stop."""
    CORPUS.mkdir(exist_ok=True)
    if not any(CORPUS.iterdir()):
        for number, seed in enumerate(fuzz_target.seed_inputs()):
            (CORPUS / f"seed-{number:03d}").write_bytes(seed)
    arguments = [sys.argv[0], *sys.argv[1:], str(CORPUS)]
    atheris.Setup(arguments, fuzz_target.check_input, custom_mutator=custom_mutator)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
