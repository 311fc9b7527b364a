"""The web chat page in a real browser: Debian's headless chromium, driven by selenium, against a live server.

Selenium blocks, and the server runs in the test's event loop (the App's state lives there), so each
browser scenario runs on a worker thread while the loop keeps serving.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

from bifrost.llm import ToolCall
from bifrost.testing import TestModel, override_model
from bifrost_mcp.app import App
from bifrost_mcp.conversations.records import AssistantMessage, UserMessage
from bifrost_mcp.server.http import build_asgi
from tests.support.approvals import deleting_model
from tests.support.mcp import opened_app
from tests.support.server import LoopbackServer
from tests.support.workspace import workspace_modules_dropped, write_files

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT_SECONDS = 15
WORKSPACE = {
    "desk.py": """
from bifrost import Agent, workflow


@workflow(is_tool=True)
async def lookup_ticket(ticket: str) -> dict:
    '''Look a ticket up.'''
    return {"ticket": ticket, "status": "open"}


@workflow(is_tool=True, requires_approval=True)
async def delete_ticket(ticket: str) -> str:
    '''Delete a ticket for good.'''
    return f"deleted {ticket}"


helpdesk = Agent(
    "helpdesk", description="Service desk", instructions="You are the desk.", tools=[lookup_ticket, delete_ticket]
)
""",
}
# Model text that would be markup if the page ever used innerHTML
MARKUP = '<img src=x id="injected"> <b>bold</b>'


@dataclass
class Site:
    app: App
    base: str
    token: str


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, f"{', '.join(missing)} missing: run `make browser` (apt-get install chromium chromium-driver)"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: selenium then never tries to download one.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, WORKSPACE)
        async with opened_app(tmp_path / "data", workspace=root) as application:
            yield application


async def in_browser(app: App, scenario: Callable[[Site], None]) -> None:
    token = (await app.host.credentials.reset_owner_token()).token
    server = LoopbackServer()
    async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
        await anyio.to_thread.run_sync(scenario, Site(app, base, token))


def wait(driver: WebDriver, condition: Callable[[WebDriver], object], what: str) -> None:
    WebDriverWait(driver, WAIT_SECONDS).until(condition, message=f"waited {WAIT_SECONDS}s for {what}")


def sign_in(driver: WebDriver, site: Site, token: str | None = None) -> None:
    """A fresh tab state (no stored token, the browser log drained), then the token pasted and submitted."""
    driver.get(f"{site.base}/chat")
    driver.execute_script("sessionStorage.clear()")
    driver.get_log("browser")
    driver.get(f"{site.base}/chat")
    driver.find_element(By.ID, "token").send_keys(token or site.token)
    driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()


def signed_in(driver: WebDriver, site: Site) -> None:
    sign_in(driver, site)
    wait(driver, lambda d: d.find_element(By.ID, "chat").is_displayed(), "the chat to show after signing in")


def texts(driver: WebDriver, selector: str) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def csp_violations(driver: WebDriver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


async def test_signing_in_lists_the_agents_and_conversations_and_signing_out_forgets_the_token(
    app: App, browser: WebDriver
) -> None:
    owner = await app.host.callers.owner()
    started = await app.host.conversations.create(
        user_id=owner.user_id, scope=owner.scope, agent="helpdesk", title="VPN"
    )
    await app.host.conversations.append(started.id, [UserMessage(text="Is it down?"), AssistantMessage(text=MARKUP)])

    def scenario(site: Site) -> None:
        signed_in(browser, site)
        wait(browser, lambda d: texts(d, "#conversations button"), "the conversations to be listed")
        assert "helpdesk" in texts(browser, "#agent option")
        assert texts(browser, "#conversations button") == ["VPN · helpdesk"]
        assert browser.execute_script("return sessionStorage.getItem('bifrost.token')") == site.token
        assert site.token not in browser.current_url

        browser.find_element(By.CSS_SELECTOR, "#conversations button").click()
        wait(browser, lambda d: len(texts(d, "#messages li")) == 2, "the conversation's messages")
        assert texts(browser, "#messages li") == ["Is it down?", MARKUP]  # the markup shows as text
        assert browser.find_elements(By.CSS_SELECTOR, "#messages img, #messages b") == []

        browser.find_element(By.ID, "sign-out").click()
        assert browser.execute_script("return sessionStorage.getItem('bifrost.token')") is None
        assert browser.find_element(By.ID, "sign-in").is_displayed()
        assert texts(browser, "#messages li") == [] and texts(browser, "#conversations button") == []
        assert csp_violations(browser) == []

    await in_browser(app, scenario)


async def test_a_refused_token_keeps_the_sign_in_form_with_the_reason(app: App, browser: WebDriver) -> None:
    def scenario(site: Site) -> None:
        sign_in(browser, site, "bft_not-a-token-we-issued")
        wait(browser, lambda d: d.find_element(By.ID, "sign-in-error").text, "the reason for the refusal")
        assert "sign in again" in browser.find_element(By.ID, "sign-in-error").text
        assert not browser.find_element(By.ID, "chat").is_displayed()
        assert browser.execute_script("return sessionStorage.getItem('bifrost.token')") is None

    await in_browser(app, scenario)


async def test_at_phone_width_the_page_fits_without_horizontal_scrolling(app: App, browser: WebDriver) -> None:
    owner = await app.host.callers.owner()
    # an unbreakable word too: it must wrap, not widen the page
    title = "VPN down in building seven: https://status.example.com/incidents/2026-12-03/vpn-concentrator-outage"
    await app.host.conversations.create(user_id=owner.user_id, scope=owner.scope, agent="helpdesk", title=title)

    def scenario(site: Site) -> None:
        metrics = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            signed_in(browser, site)
            wait(browser, lambda d: texts(d, "#conversations button"), "the conversations to be listed")
            width = browser.execute_script("return window.innerWidth")
            scroll = browser.execute_script("return document.documentElement.scrollWidth")
            assert (width, scroll) == (390, 390)
            # one column: the list above the chat, and the message box the width of the screen
            nav = browser.find_element(By.CSS_SELECTOR, "#chat nav").rect
            section = browser.find_element(By.CSS_SELECTOR, "#chat section").rect
            assert nav["y"] + nav["height"] <= section["y"]
            assert browser.find_element(By.ID, "message").rect["width"] >= 350
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    await in_browser(app, scenario)


async def test_the_page_is_served_with_a_strict_content_security_policy(app: App, browser: WebDriver) -> None:
    def scenario(site: Site) -> None:
        browser.get(f"{site.base}/chat")
        csp = browser.execute_async_script(
            "const done = arguments[0];fetch('chat').then((r) => done(r.headers.get('content-security-policy')));"
        )
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        # an inline script is refused, so injected markup could not run code
        browser.execute_script(
            "const s = document.createElement('script'); s.textContent = 'window.ran = true';document.body.append(s);"
        )
        assert browser.execute_script("return window.ran === true") is False

    await in_browser(app, scenario)


async def test_a_message_streams_the_answer_and_shows_each_tool_step(app: App, browser: WebDriver) -> None:
    model = TestModel("Ticket T-1 is open.", tool_calls=[ToolCall("c1", "lookup_ticket", {"ticket": "T-1"})])

    def scenario(site: Site) -> None:
        signed_in(browser, site)
        browser.find_element(By.ID, "message").send_keys("Is T-1 open?")
        browser.find_element(By.ID, "send").click()
        wait(browser, lambda d: "Ticket T-1 is open." in texts(d, "#messages li"), "the streamed answer")
        (step,) = browser.find_elements(By.CSS_SELECTOR, "#messages li.tool")
        assert "lookup_ticket" in step.text and "T-1" in step.text
        link = step.find_element(By.CSS_SELECTOR, ".execution a")
        assert "/api/executions/" in (link.get_attribute("href") or "")
        link.click()  # fetched with the token and shown in place: a plain link would be refused without it
        wait(
            browser, lambda d: '"Completed"' in step.find_element(By.CSS_SELECTOR, ".execution pre").text, "the record"
        )
        assert '"lookup_ticket"' in step.find_element(By.CSS_SELECTOR, ".execution pre").text
        wait(browser, lambda d: texts(d, "#conversations button"), "the new conversation to be listed")
        assert "tokens in" in browser.find_element(By.ID, "status").text  # the turn's usage

    with override_model(model):  # set before the server starts, so its request tasks inherit it
        await in_browser(app, scenario)


@pytest.mark.parametrize(("button", "shown"), [("Approve", "Result: deleted T-7"), ("Deny", "Result: The user denied")])
async def test_a_held_call_shows_its_exact_arguments_and_runs_only_when_approved(
    app: App, browser: WebDriver, button: str, shown: str
) -> None:
    def scenario(site: Site) -> None:
        signed_in(browser, site)
        browser.find_element(By.ID, "message").send_keys("Delete T-7")
        browser.find_element(By.ID, "send").click()
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#messages li.tool .approve button"), "the buttons")
        (step,) = browser.find_elements(By.CSS_SELECTOR, "#messages li.tool")
        assert 'Run delete_ticket with {"ticket": "T-7"}?' in step.text and "waiting for your approval" in step.text
        # the page is reopened from the store: the call still waits, with its buttons
        wait(browser, lambda d: texts(d, "#conversations button"), "the conversation to be listed")
        browser.find_element(By.CSS_SELECTOR, "#conversations button").click()
        wait(browser, staleness_of(step), "the streamed step to give way to the stored one")
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#messages li.tool .approve button"), "buttons again")
        (step,) = browser.find_elements(By.CSS_SELECTOR, "#messages li.tool")
        next(b for b in step.find_elements(By.TAG_NAME, "button") if b.text == button).click()
        wait(browser, lambda d: any(t.startswith(shown) for t in texts(d, "#messages li")), "the answer after it")
        assert browser.find_elements(By.CSS_SELECTOR, ".approve") == []
        status = step.find_element(By.CSS_SELECTOR, "span.muted").text
        assert status == ("done" if button == "Approve" else "denied")  # approved, then run: its step is done
        assert len(step.find_elements(By.CSS_SELECTOR, ".execution a")) == (1 if button == "Approve" else 0)

    with override_model(deleting_model()):
        await in_browser(app, scenario)
    runs = await app.host.executions.query(workflow_name="delete_ticket")
    assert [r.input_data for r in runs] == ([{"ticket": "T-7"}] if button == "Approve" else [])
