"""Every DVD read or written passes the sensitive-data filter in one module (`filters/_storage.py`)."""

from __future__ import annotations

import re
from pathlib import Path

import playback_dvd
from playback_dvd import DVD, Interaction, MemoryCassette, Request, Response
from playback_dvd._options import resolve_options
from playback_dvd.cassettes import new_recording_id
from playback_dvd.filters._storage import read_dvd_file, read_recording, recording_to_save, write_dvd_file

PACKAGE = Path(playback_dvd.__file__).parent


def dvd_with_secret(recording_id: str | None = None) -> DVD:
    dvd = DVD(id=recording_id, category=None if recording_id is None else "shop")
    request = Request("GET", "http://shop.test/cart?token=tok-123", (("x-token", "tok-123"),), b"")
    dvd.record(Interaction(request, Response(200, (), b"hello tok-123")))
    return dvd


def test_a_dvd_file_holds_placeholders_and_is_read_back_with_the_real_values(tmp_path: Path) -> None:
    filters = resolve_options({"filter_sensitive_data": {"<TOKEN>": "tok-123"}}).filters
    path = tmp_path / "secret.dvd.json"

    write_dvd_file(path, dvd_with_secret(), filters)
    document = read_dvd_file(path, filters)

    assert "tok-123" not in path.read_text()
    assert document is not None
    assert document.interactions[0].request.url == "http://shop.test/cart?token=tok-123"
    assert document.interactions[0].response is not None
    assert document.interactions[0].response.body == b"hello tok-123"


def test_a_missing_dvd_file_reads_as_none(tmp_path: Path) -> None:
    assert read_dvd_file(tmp_path / "absent.dvd", resolve_options({}).filters) is None


def test_a_saved_recording_holds_placeholders_and_is_read_back_with_the_real_values() -> None:
    filters = resolve_options({"filter_sensitive_data": {"<TOKEN>": "tok-123"}}).filters
    cassette = MemoryCassette()
    recording_id = new_recording_id("shop")

    cassette.save_recording(recording_to_save(dvd_with_secret(recording_id), filters))

    stored = cassette.get_recording(recording_id)
    assert "<TOKEN>" in stored.interactions[0].request.url
    restored = read_recording(cassette, recording_id, filters)
    assert restored.interactions[0].request.url == "http://shop.test/cart?token=tok-123"


def test_no_module_but_the_storage_one_hides_or_restores_sensitive_values_itself() -> None:
    calls = re.compile(r"\.(conceal|restore)\(")
    callers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if calls.search(path.read_text(encoding="utf-8"))
    )
    # _pipeline.py defines Filters.conceal/restore (delegating to the placeholders); _storage.py calls them.
    assert callers == ["filters/_pipeline.py", "filters/_storage.py"]
