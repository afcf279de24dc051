"""Playwright driving Debian's Chromium (/usr/bin/chromium) against the live test server."""

import os

import pytest

from shaobao.org.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
CHROMIUM = os.environ.get("SHAOBAO_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def login(browser, live_server, world):
    """login("commander", phone=False) → a logged-in Page of that user's own browser context."""
    contexts = []

    def _login(username, phone=False):
        opts = dict(PHONE) if phone else {"viewport": {"width": 1280, "height": 900}}
        ctx = browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            geolocation={"latitude": 40.1830, "longitude": 117.2901},
            permissions=["geolocation"],
            **opts,
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        page.on("dialog", lambda d: d.accept())
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert "/login/" not in page.url, f"login failed for {username}: {page.inner_text('main')}"
        return page

    yield _login
    for ctx in contexts:
        ctx.close()
