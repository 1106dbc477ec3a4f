"""Debian's Chromium driven by Playwright, as every browser test here launches it.

Headless, no sandbox (the tests run as root), and none of the background requests Chromium makes
at start-up: this machine reaches no host but the package registries, and a page test must see
only its own server's requests.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SETUP_HINT = "`make setup` installs it (apt chromium, pip playwright, npm ci for axe-core)"


@contextmanager
def chromium_context(profile: Path, viewport: dict[str, int] | None = None) -> Iterator[Any]:
    """A persistent Chromium context on a fresh `profile` folder; a missing browser or
    Playwright fails the test (never skips it)."""
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if not executable:
        pytest.fail(f"no chromium browser at {CHROMIUM}: {SETUP_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"Playwright for Python is not installed: {SETUP_HINT}")
    options: dict[str, Any] = {"viewport": viewport} if viewport else {}
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(executable), headless=True, args=LAUNCH_ARGS,
            **options,
        )
        try:
            yield context
        finally:
            context.close()
