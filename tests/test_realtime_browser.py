"""examples/chat.py in headless Chromium: the page's WebSocket and EventSource both work against the app
on the embedded server, next to a second member who joins with the ``websockets`` client library."""

import os
import threading
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from tests import chromium
from tests.servers import SERVE, LiveServer, run_server

# Sends one message once the socket is open and the event stream has said who is in the room; done when
# the page shows bob's answer and his leaving, over the WebSocket and on the event stream.
PAGE_STEPS = """(() => {
    const texts = (id) => Array.from(document.querySelectorAll(`#${id} li`)).map((li) => li.textContent);
    const following = texts("events").length > 0;
    if (document.body.dataset.connected === "yes" && following && !document.body.dataset.sent) {
        document.body.dataset.sent = "1";
        document.getElementById("text").value = "hello from the browser";
        document.getElementById("form").requestSubmit();
    }
    const messages = texts("messages"), events = texts("events");
    const done = messages.includes("bob left the chat") && events.includes("bob left");
    return done ? {messages, events} : null;
})()"""


@pytest.fixture(scope="module")
def browser_path() -> str:
    path = chromium.find_browser()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no Chromium on this machine (CI installs it: see .ci/run)")
        pytest.skip("no Chromium on this machine")
    return path


@pytest.fixture(scope="module")
def live(browser_path: str) -> Iterator[LiveServer]:
    # An open event stream holds a graceful stop until its timeout: keep the test's short.
    with run_server(SERVE, "examples.chat:app", env={"PYTHONPATH": os.getcwd()}, graceful_timeout=2) as server:
        yield server


def test_chat_page_receives_over_websocket_and_event_source(browser_path: str, live: LiveServer) -> None:
    bob_saw: list[str] = []
    bob_ready = threading.Event()

    def bob() -> None:  # in the room first; answers ada's browser, then leaves
        with connect(f"ws://127.0.0.1:{live.port}/ws/bob") as ws:
            bob_ready.set()
            while (text := str(ws.recv(timeout=30))) != "ada: hello from the browser":
                bob_saw.append(text)
            bob_saw.append(text)
            ws.send("hi ada")
            bob_saw.append(str(ws.recv(timeout=30)))

    thread = threading.Thread(target=bob, daemon=True)
    thread.start()
    assert bob_ready.wait(10)
    page = chromium.open_page(browser_path, f"http://127.0.0.1:{live.port}/?name=ada", PAGE_STEPS, timeout=30)
    thread.join(10)
    assert page.errors == []
    assert page.value is not None, "the page did not get both bob's messages and the room's events"
    assert page.value["messages"][:2] == ["ada: hello from the browser", "bob: hi ada"]
    assert page.value["events"][0] in ("1 in the room", "2 in the room")  # bob, and ada if her socket was first
    assert "bob left" in page.value["events"]
    assert bob_saw[-2:] == ["ada: hello from the browser", "bob: hi ada"]
