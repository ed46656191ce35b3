"""The web tests' one-article corpus, which the scripted assistant answers from, and the
real Chromium the browser tests drive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import talks_corpus

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return talks_corpus(tmp_path)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, one per test module."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run scripts/install-browser (Debian's chromium)")
    from playwright.sync_api import expect, sync_playwright

    # An `expect` waits 5 s unless told: short for a page that waits on a server sharing
    # two cores with the rest of the suite. A wait that is met returns at once.
    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
