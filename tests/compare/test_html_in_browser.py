"""The HTML report of a 1,000-recording run, opened in a real headless browser (Debian's chromium): what a
person sees first, and what each filter leaves on the screen."""

from __future__ import annotations

import os
import re
import struct
from html.parser import HTMLParser

import attrs
import pytest

from playback_dvd.compare import ComparisonReport, render_report, write_report

from ._large_run import CHROMIUM, chromium, large_report, screenshot

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"no headless browser at {CHROMIUM} (.ci/run installs Debian's chromium)",
)


class Screen(HTMLParser):
    """What the browser's DOM shows: the groups (status, title, hidden or not) and a few texts by id."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.groups: list[dict[str, object]] = []
        self.texts: dict[str, str] = {}
        self.order: list[str] = []  # ids of elements in document order
        self.visible_rows: list[str] = []
        self._text_of: str | None = None
        self._in_title = False
        self._row: str | None = None
        self.feed(dom)

    def handle_starttag(self, tag, attrs_list):
        attributes = dict(attrs_list)
        if "id" in attributes:
            self.order.append(attributes["id"])
            self._text_of = attributes["id"]
            self.texts[self._text_of] = ""
        if tag == "section" and "group" in (attributes.get("class") or ""):
            self.groups.append(
                {
                    "status": attributes["data-status"],
                    "hidden": "hidden" in attributes,
                    "title": "",
                    "rows": 0,
                }
            )
        if tag == "h3" and self.groups:
            self._in_title = True
        if tag == "tr" and "data-category" in attributes and not self.groups[-1]["hidden"]:
            self._row = None if "hidden" in attributes else attributes["data-category"]
            if self._row is not None:
                self.visible_rows.append(self._row)
                self.groups[-1]["rows"] = int(self.groups[-1]["rows"]) + 1

    def handle_endtag(self, tag):
        if tag == "h3":
            self._in_title = False
        if tag in ("p", "span", "div"):
            self._text_of = None

    def handle_data(self, data):
        if self._text_of is not None:
            self.texts[self._text_of] += data
        if self._in_title:
            self.groups[-1]["title"] = str(self.groups[-1]["title"]) + data

    @property
    def shown(self) -> list[dict[str, object]]:
        return [group for group in self.groups if not group["hidden"]]


@pytest.fixture(scope="module")
def report() -> ComparisonReport:
    return large_report(1000)


@pytest.fixture(scope="module")
def page(report, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "report.html"
    write_report(report, path, "html")
    return path


def look(page, fragment: str = "") -> Screen:
    return Screen(chromium(page.resolve().as_uri() + fragment, "--dump-dom").stdout)


def test_a_person_sees_the_verdict_and_summary_first_and_equal_recordings_folded_away(page):
    screen = look(page)
    assert screen.order[:2] == ["verdict", "summary"]
    assert screen.texts["verdict"] == "Regressions found"
    assert re.fullmatch(
        r"1,000 compared in [\d.]+ s: 502 Equal, 494 Different, 4 Failed", screen.texts["summary"]
    )
    assert [group["status"] for group in screen.shown] == ["Failed", "Different", "Different", "Different"]
    assert screen.texts["shown"] == "498 of 1,000 recordings shown"
    first = str(screen.shown[0]["title"])
    assert first.startswith("Failed 4 recordings: the replay raised RuntimeError at _large_run.py:")


def test_identical_changes_are_one_group_with_an_example(page):
    titles = [str(group["title"]) for group in look(page).shown]
    assert any(
        re.match(
            r"Different \d+ recordings: \$\[\"db.save_invoice #1\"\]\.total changed, e\.g\. [\d.]+ -> [\d.]+",
            t,
        )
        for t in titles
    ), titles


def test_the_status_filter_shows_only_that_status(page):
    screen = look(page, "#status=Failed")
    assert [group["status"] for group in screen.shown] == ["Failed"]
    assert screen.texts["shown"] == "4 of 1,000 recordings shown"


def test_the_category_filter_shows_only_that_categorys_recordings(page):
    screen = look(page, "#status=Equal,Different,Failed&category=Refund")
    assert [group["status"] for group in screen.shown] == ["Equal"]
    assert screen.texts["shown"] == "200 of 1,000 recordings shown"
    assert set(screen.visible_rows) == {"Refund"}  # the Checkout rows of that group are hidden


def test_the_path_filter_shows_the_groups_that_changed_that_path(page):
    screen = look(page, "#path=loyalty")
    assert len(screen.shown) == 2  # gold customers: loyalty points alone, or with a changed total
    assert all("$.operation.loyalty_points added" in str(group["title"]) for group in screen.shown)
    assert screen.texts["shown"] == "265 of 1,000 recordings shown"


def test_the_page_fetches_nothing(page):
    text = page.read_text()
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", text)


def test_ten_thousand_recordings_stay_a_readable_page(report, tmp_path):
    comparisons = [
        attrs.evolve(c, recording_id=f"{c.recording_id[:-4]}{copy:04x}")
        for copy in range(10)
        for c in report.comparisons
    ]
    big = attrs.evolve(report, comparisons=tuple(comparisons))
    path = tmp_path / "big.html"
    path.write_text(render_report(big, "html"))
    assert path.stat().st_size < 3_000_000
    screen = look(path, "#status=Equal,Different,Failed")
    assert screen.texts["shown"] == "10,000 of 10,000 recordings shown"
    rows = {str(group["title"]).split(":")[0]: group["rows"] for group in screen.groups}
    # Each group lists at most 100 recordings of each category (Equal has both categories).
    assert rows == {
        "Failed 40 recordings": 40,
        "Different 2,270 recordings": 100,
        "Different 2,290 recordings": 100,
        "Different 380 recordings": 100,
        "Equal 5,020 recordings": 200,
    }
    assert "... and 4,820 more recordings (every one is in the JSON report)" in path.read_text()


def test_a_screenshot_is_a_page_of_the_window_size(page, tmp_path):
    target = tmp_path / "report.png"
    screenshot(page, target, width=1000, height=700)
    header = target.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1000, 700)
