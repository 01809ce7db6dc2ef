"""``fastrapi.request``: the module name the Rust FastrAPI uses; the same classes as ``fastrapi.requests``."""

from fastrapi.requests import HTTPConnection, Request

__all__ = ["HTTPConnection", "Request"]
