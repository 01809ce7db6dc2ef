"""The live tests' server kinds, once: a test (or fixture) that takes ``server_kind`` runs on each of
``tests.servers.KINDS``; ``@pytest.mark.server_kinds(...)`` (on a test or a module) narrows it."""

from __future__ import annotations

import pytest

from tests.servers import GEVENT_PYWSGI, KINDS

MARKER = "server_kinds"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(*kinds): run the test's server_kind on these kinds only")


def _parametrized_directly(metafunc: pytest.Metafunc, name: str) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0] if marker.args else marker.kwargs.get("argnames", "")
        if name in ([n.strip() for n in names.split(",")] if isinstance(names, str) else names):
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test whose fixtures need ``server_kind`` gets one case per kind: KINDS, or the kinds of
    the closest ``server_kinds`` marker. A test that parametrizes ``server_kind`` itself keeps its own."""
    if "server_kind" not in metafunc.fixturenames or _parametrized_directly(metafunc, "server_kind"):
        return
    marker = metafunc.definition.get_closest_marker(MARKER)
    kinds = KINDS if marker is None else marker.args
    if not kinds or not set(kinds) <= {*KINDS, GEVENT_PYWSGI}:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: unknown server kinds {kinds}")
    metafunc.parametrize("server_kind", kinds, indirect=True, scope="module")


@pytest.fixture(scope="module")
def server_kind(request: pytest.FixtureRequest) -> str:
    """A ``run_server`` kind, one per case (the case id is the kind)."""
    return str(request.param)
