"""pytest plugin for FastAPI's own test suite: ``import fastapi`` and ``import fastapi.x`` give fastrapi's modules.

It is the one change a user makes ("change one import"), applied to FastAPI's tutorial tests. Loaded with
``-p tests.fastapi_suite.alias_fastapi``; with ``FASTRAPI_SUITE_REAL=1`` it does nothing (FastAPI itself runs).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from types import ModuleType


class FastAPIAsFastrAPI(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``fastapi[.x]`` as the already importable ``fastrapi[.x]``; a name fastrapi lacks stays missing."""

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name != "fastapi" and not name.startswith("fastapi."):
            return None
        try:
            found = importlib.util.find_spec("fastrapi" + name[len("fastapi"):])
        except ModuleNotFoundError:
            return None
        return None if found is None else importlib.util.spec_from_loader(name, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module("fastrapi" + spec.name[len("fastapi"):])

    def exec_module(self, module: ModuleType) -> None:
        pass  # already executed as fastrapi's module


if os.environ.get("FASTRAPI_SUITE_REAL") != "1":
    sys.meta_path.insert(0, FastAPIAsFastrAPI())
