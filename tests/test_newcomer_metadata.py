"""What a user checks before adopting: one version everywhere, classifiers, the typing marker, a changelog."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import fastrapi

ROOT = Path(__file__).resolve().parent.parent


def test_the_version_is_written_once_and_read_everywhere() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()  # (tomllib is 3.11+; the project supports 3.10)
    assert not re.search(r"^version\s*=\s*\"", pyproject, flags=re.M)  # no static version string
    assert 'dynamic = ["version"]' in pyproject
    assert '[tool.setuptools.dynamic]\nversion = { attr = "fastrapi.__version__" }' in pyproject
    assert importlib.metadata.version("fastrapi") == fastrapi.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", fastrapi.__version__)


def test_classifiers_and_the_typing_marker() -> None:
    classifiers = importlib.metadata.metadata("fastrapi").get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert "Topic :: Internet :: WWW/HTTP :: WSGI :: Application" in classifiers
    assert (Path(fastrapi.__file__).parent / "py.typed").is_file()


def test_the_changelog_names_the_current_version() -> None:
    assert f"## {fastrapi.__version__}" in (ROOT / "CHANGELOG.md").read_text()
