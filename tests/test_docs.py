"""The documentation site builds with ``mkdocs build --strict`` (broken links fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_strict(tmp_path: Path) -> None:
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    result = subprocess.run(  # noqa: S603 - fixed argument list
        [mkdocs, "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "realtime" / "index.html").exists()
    assert (tmp_path / "site" / "architecture" / "index.html").exists()
    assert (tmp_path / "site" / "api" / "index.html").exists()


def test_api_page_lists_every_route(app: object) -> None:
    """docs/api.md's route table is the app's; regenerate with scripts/gen_api_doc.py."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_api_doc import PAGE, render

    schema = app.openapi()  # type: ignore[attr-defined]
    current = PAGE.read_text()
    assert render(current, schema) == current, "run: python scripts/gen_api_doc.py"
    assert len(schema["paths"]) > 30
