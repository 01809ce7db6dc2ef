"""fastrapi.status must expose every name of fastapi.status with the same value."""

import warnings

import pytest

from fastrapi import status

fastapi = pytest.importorskip("fastapi")


def _fastapi_status_names() -> list[str]:
    return [name for name in dir(fastapi.status) if name.isupper()]


@pytest.mark.parametrize("name", _fastapi_status_names())
def test_status_constant_matches_fastapi(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FastAPI warns for the pre-RFC 9110 names
        expected = getattr(fastapi.status, name)
    assert getattr(status, name) == expected
    assert type(getattr(status, name)) is int


def test_both_spellings_of_renamed_statuses() -> None:
    assert status.HTTP_422_UNPROCESSABLE_ENTITY == 422
    assert status.HTTP_422_UNPROCESSABLE_CONTENT == 422
    assert status.HTTP_413_REQUEST_ENTITY_TOO_LARGE == 413
    assert status.HTTP_413_CONTENT_TOO_LARGE == 413
    assert status.WS_1000_NORMAL_CLOSURE == 1000


def test_no_extra_public_names() -> None:
    ours = {name for name in dir(status) if name.isupper()}
    assert ours == set(_fastapi_status_names())
    assert set(status.__all__) == ours
