"""Every screenshot the browser tests take is shown in docs/web.md, and every picture
docs/web.md shows is one they take and is committed as a PNG of a screen's size (so the
pictures never go stale or missing). ``make screenshots`` retakes them into
docs/img/screens/; ``make test`` writes its screenshots to a temporary folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.e2e.conftest import PHONE, SCREENSHOTS_ENV, TABLET, png_size
from tests.e2e.test_admin import ADMIN_SCREENS

E2E = Path(__file__).resolve().parent
ROOT = E2E.parents[1]


def test_screenshots_and_docs_agree() -> None:
    taken = {
        name
        for path in E2E.glob("test_*.py")
        for name in re.findall(r"screenshot\(\w+, \"([\w-]+)\"\)", path.read_text())
    }
    # the admin screens are taken in a loop as f"admin-{path}"
    assert 'screenshot(page, f"admin-{path}")' in (E2E / "test_admin.py").read_text()
    taken |= {f"admin-{path}" for path, _, _ in ADMIN_SCREENS.values()}
    doc = (ROOT / "docs" / "web.md").read_text()
    shown = set(re.findall(r"\]\(img/screens/([\w-]+)\.png\)", doc))
    assert {"login", "floor", "order-pad-line", "kitchen", "till", "guest-menu"} <= taken
    assert taken == shown
    pictures = {p.stem: p for p in (ROOT / "docs" / "img" / "screens").glob("*.png")}
    assert shown <= set(pictures)
    sizes = {(TABLET["width"], TABLET["height"]), (PHONE["width"], PHONE["height"])}
    for name in shown:
        assert png_size(pictures[name]) in sizes, name


def test_screenshots_stay_out_of_the_tree_unless_asked(screenshots_dir: Path) -> None:
    """`make test` leaves docs/img/screens/ alone; `make screenshots` (which sets
    BRIGADE_SCREENSHOTS_DIR=docs/img/screens) writes there."""
    named = os.environ.get(SCREENSHOTS_ENV, "").strip()
    if named:
        assert screenshots_dir == ROOT / named
    else:
        assert not screenshots_dir.resolve().is_relative_to(ROOT)
