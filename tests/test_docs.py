"""The documentation site builds without a warning, and its examples run."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)


def test_site_builds_without_warnings(tmp_path):
    pytest.importorskip("sphinx")
    out = tmp_path / "html"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    # The command of the documentation's build, into a temporary folder.
    command = ["-W", "--keep-going", "-q", "-b", "html", "-d", str(tmp_path / "doctrees")]
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", *command, str(DOCS), str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    report = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, report
    assert "WARNING" not in done.stderr and "ERROR" not in done.stderr, report
    assert (out / "index.html").exists()
    assert (out / "api" / "allocation.html").exists()
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for name in notebooks:
        assert (out / "notebooks" / f"{name}.html").exists(), name


def test_there_are_pages():
    assert len(PAGES) >= 11


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_examples_run(page, monkeypatch):
    """The ``>>>`` examples of each page run as doctests, top to bottom."""
    pytest.importorskip("matplotlib").use("Agg")
    monkeypatch.chdir(page.parent)
    # A code fence closes an example's expected output.
    text = page.read_text(encoding="utf-8").replace("\n```", "\n\n```")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {"__name__": "__main__"}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) of {page.name} failed (see above)"
