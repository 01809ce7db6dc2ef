"""The README's demo app (the background-tasks page's first example) on the embedded gevent server."""

from __future__ import annotations

from tests.servers import SERVE, run_server, stop


def test_demo_answers_then_sends_the_email_in_the_background() -> None:
    with run_server(SERVE, "examples.background_tasks:app", env={"PYTHONUNBUFFERED": "1"}) as live:
        status, headers, body = live.request("POST", "/send?email=ada@example.com")
        assert (status, body) == (200, b'{"message":"Email will be sent in the background"}')
        assert headers["content-length"] == str(len(body))
        assert stop(live.process) == 0
        assert "Sending email to ada@example.com: Welcome to our service!" in live.output()
