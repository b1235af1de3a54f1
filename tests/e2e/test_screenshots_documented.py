"""Every screenshot the browser tests take is shown in docs/web.md, and every picture
docs/web.md shows is one they take (so the pictures never go stale or missing)."""

from __future__ import annotations

import re
from pathlib import Path

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
    committed = {p.stem for p in (ROOT / "docs" / "img" / "screens").glob("*.png")}
    assert shown <= committed
