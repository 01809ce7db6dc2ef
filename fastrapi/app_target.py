"""The APP argument of ``fastrapi run``/``dev``/``worker``: ``module:attribute``, a module, or a file, into the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastrapi.app_loading import get_app, import_module

DEFAULT_FILES = ("main.py", "app.py", "api.py")


class CLIError(Exception):
    """A mistake in the command line or the APP argument, reported without a traceback (exit status 2)."""


# -- finding the app -----------------------------------------------------------------------------


def resolve_target(app: str | None, cwd: Path | None = None) -> tuple[str, str, str | None]:
    """``(module, attribute, directory to put on sys.path)`` for the APP argument."""
    cwd = cwd or Path.cwd()
    if app is None:
        for name in DEFAULT_FILES:
            if (cwd / name).is_file():
                app = name
                break
        else:
            raise CLIError(f"No APP given and none of {', '.join(DEFAULT_FILES)} found in {cwd}")
    location, _, attribute = app.partition(":")
    attribute = attribute or "app"
    path = cwd / location
    if location.endswith(".py") or path.is_file() or path.is_dir():
        if path.is_dir():
            path = path / "__init__.py"
        if not path.is_file():
            raise CLIError(f"File {path} does not exist")
        module, root = _module_of_file(path.resolve())
        return module, attribute, str(root)
    return location, attribute, str(cwd)


def _module_of_file(path: Path) -> tuple[str, Path]:
    """The dotted module name of a file, climbing through packages (dirs with ``__init__.py``)."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file():
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts), directory


def import_app(module: str, attribute: str, directory: str | None = None) -> Any:
    """Import ``module`` and return its ``attribute`` (after putting ``directory`` on sys.path); a mistake
    (no such module, an import that fails, no such attribute, not a WSGI app) is an ``AppLoadError``."""
    return get_app(import_module(module, directory), attribute)
