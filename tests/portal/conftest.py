"""The portal as a real process over the three real services, and headless Chromium.

Chromium is Debian's (`/usr/bin/chromium`), driven by Playwright; axe-core comes from the
npm registry (`npm ci` in this folder). `.ci/run` installs both.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from townhall.launcher import service_command
from townhall_platform.testing import STARTUP_WAIT_SECONDS, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = os.environ.get("TOWNHALL_SCREENSHOTS_DIR")


@dataclass
class Portal:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path


def start_portal(system: Any, state: Path, signing_key_file: Path, **overrides: str) -> Portal:
    """Start `townhall-portal serve` against the system's services; wait until ready."""
    port = free_port()
    prefix = "TOWNHALL_PORTAL_"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNHALL_")}
    env.update(
        {
            prefix + "ENVIRONMENT": "test",
            prefix + "PORT": str(port),
            prefix + "SIGNING_KEY_FILE": str(signing_key_file),
            prefix + "POLICY_URL": system.services["policy"].url,
            prefix + "PUBLISHING_URL": system.services["publishing"].url,
            prefix + "SEARCH_URL": system.services["search"].url,
            # The system runs no notifications service: an address of its own where nothing
            # listens (the badge stays away), never the default port a `make run` may hold.
            prefix + "NOTIFICATIONS_URL": f"http://127.0.0.1:{free_port()}",
            **{prefix + key: value for key, value in overrides.items()},
        }
    )
    log_path = state / f"portal-{port}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*service_command("portal"), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"portal exited:\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return Portal(url, process, log_path)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"portal did not answer 200 on {url}/readyz within {STARTUP_WAIT_SECONDS:.0f} s:\n"
        f"{log_path.read_text()[-4000:]}"
    )


@pytest.fixture(scope="module")
def portal(
    system: Any, tmp_path_factory: pytest.TempPathFactory, signing_key_file: Path
) -> Iterator[Portal]:
    running = start_portal(system, tmp_path_factory.mktemp("portal"), signing_key_file)
    yield running
    running.process.terminate()
    try:
        running.process.wait(15)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, driven by Playwright for the tests of one module.

    While Playwright's synchronous API runs, it marks its event loop as running in this
    thread (between calls too), so any asyncio test run meanwhile would fail with "Cannot
    run the event loop while another loop is running". Scoped to the module, it is
    stopped before the next module's tests run, whatever the order; the teardown checks
    that no loop is left behind.
    """
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    try:
        leaked = asyncio.get_running_loop()
    except RuntimeError:
        return
    raise AssertionError(f"Playwright left its event loop running after it stopped: {leaked!r}")


class People:
    """One browser context (its own cookies) per person."""

    def __init__(self, browser: Browser, portal: Portal) -> None:
        self._browser = browser
        self._portal = portal
        self._contexts: list[BrowserContext] = []

    def page(
        self,
        user: str | None = None,
        *,
        locale: str = "en-GB",
        timezone_id: str = "Europe/Paris",
        width: int = 1280,
    ) -> Page:
        # axe is injected by evaluation; the portal's CSP forbids inline scripts otherwise.
        context = self._browser.new_context(
            base_url=self._portal.url,
            locale=locale,
            bypass_csp=True,
            timezone_id=timezone_id,
            viewport={"width": width, "height": 844 if width < 500 else 800},
        )
        context.set_default_timeout(15_000)
        self._contexts.append(context)
        page = context.new_page()
        if user:
            sign_in(page, user)
        return page

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def people(browser: Browser, portal: Portal) -> Iterator[People]:
    crowd = People(browser, portal)
    yield crowd
    crowd.close()


def sign_in(page: Page, user: str, next_path: str = "/") -> None:
    """Use the development sign-in page as a person would."""
    page.goto(f"/sign-in?next={next_path}")
    page.get_by_label(re.compile("Demo user|Utilisateur")).select_option(user)
    page.get_by_role("button", name=re.compile("^(Sign in|Se connecter)$")).click()
    page.wait_for_load_state()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious or critical axe-core violations of the page as it is now."""
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document)")
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations
    ]


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot for the README when `TOWNHALL_SCREENSHOTS_DIR` is set."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
