"""Endpoint signatures compiled into plans (``analysis``) and run per request (``solver``)."""
