"""Compare fastrapi.encoders with FastAPI's jsonable_encoder and JSONResponse body."""

import collections
import dataclasses
import datetime
import enum
import json
import re
import subprocess
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, NamedTuple, Self

import pydantic_core
import pytest
from pydantic import (
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    NameEmail,
    RootModel,
    SecretBytes,
    SecretStr,
    TypeAdapter,
    computed_field,
)
from pydantic_core import PydanticUndefined

from fastrapi.encoders import (
    ENCODERS_BY_TYPE,
    PydanticV1NotSupportedError,
    json_default,
    jsonable_encoder,
)

fastapi_encoders = pytest.importorskip("fastapi.encoders")
fastapi_responses = pytest.importorskip("fastapi.responses")
fastapi_jsonable_encoder = fastapi_encoders.jsonable_encoder

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydantic.color import Color

REPO_ROOT = Path(__file__).resolve().parent.parent
UTC = datetime.UTC


# --- value zoo -------------------------------------------------------------


class Plain(enum.Enum):
    A = "a"
    B = 2
    C = (1, 2)


class StrMixin(str, enum.Enum):
    X = "x"
    Y = "why"


class Number(enum.IntEnum):
    ONE = 1
    TWO = 2


class Perm(enum.IntFlag):
    R = 4
    W = 2


class Level(enum.StrEnum):
    LOW = "low"


class Ratio(float, enum.Enum):
    HALF = 0.5


class Label(str):
    pass


class Count(int):
    pass


class Amount(float):
    pass


class Point(NamedTuple):
    x: int
    y: int


class Item(BaseModel):
    name: str
    price: Decimal = Decimal("1.50")
    tags: set[str] = set()
    created: datetime.datetime | None = None


class Aliased(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    item_id: int = Field(alias="itemId")
    note: str | None = None
    extra: dict[str, Any] = {}


class Nested(BaseModel):
    items: list[Item]
    owner: Aliased | None = None
    ids: dict[uuid.UUID, int] = {}
    counts: dict[int, str] = {}


class WithComputed(BaseModel):
    width: int
    height: int

    @computed_field
    @property
    def area(self) -> int:
        return self.width * self.height


class Secrets(BaseModel):
    password: SecretStr
    token: SecretBytes
    url: HttpUrl


class SaAlias(BaseModel):
    visible: int = 1
    hidden: int = Field(default=2, alias="_sa_state")


@dataclasses.dataclass
class Coord:
    lat: float
    lon: float
    label: str | None = None


@dataclasses.dataclass
class Route:
    start: Coord
    stops: list[Coord]
    when: datetime.date
    item: Item | None = None


class Bag:
    def __init__(self) -> None:
        self.name = "bag"
        self.when = datetime.date(2024, 1, 2)
        self.nothing = None
        self._sa_instance_state = object()


class PairIterable:
    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter([("a", 1), ("b", 2)])


class MappingLike:
    def keys(self) -> list[str]:
        return ["k"]

    def __getitem__(self, key: str) -> uuid.UUID:
        return uuid.UUID(int=5)


UUID1 = uuid.UUID("12345678-1234-5678-1234-567812345678")
DT = datetime.datetime(2024, 5, 17, 13, 45, 30, 123456)


def _gen() -> Iterator[Any]:
    yield 1
    yield DT
    yield {"k": Decimal(2)}


def _color() -> Color:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Color("#ff0000")


def _item() -> Item:
    return Item(name="thing", tags={"t"}, created=DT)


def _nested() -> Nested:
    return Nested(
        items=[_item(), Item(name="other")],
        owner=Aliased(itemId=3, extra={"_sa_x": 1, "keep": None, "when": "now"}),
        ids={UUID1: 1},
        counts={1: "one"},
    )


# Factories so every encoder gets a fresh object (generators are single use).
VALUES: dict[str, Callable[[], Any]] = {
    "none": lambda: None,
    "true": lambda: True,
    "false": lambda: False,
    "zero": lambda: 0,
    "negative_int": lambda: -17,
    "big_int": lambda: 2**70,
    "float": lambda: 1.5,
    "float_int_valued": lambda: 2.0,
    "tiny_float": lambda: 1e-300,
    "empty_str": lambda: "",
    "str": lambda: "hello",
    "unicode_str": lambda: 'ünïcødé ✓ \u2028 "quoted" \\ \n',
    "str_subclass": lambda: Label("label"),
    "int_subclass": lambda: Count(7),
    "float_subclass": lambda: Amount(2.25),
    "enum_str_value": lambda: Plain.A,
    "enum_int_value": lambda: Plain.B,
    "enum_tuple_value": lambda: Plain.C,
    "str_enum_mixin": lambda: StrMixin.Y,
    "int_enum": lambda: Number.TWO,
    "int_flag": lambda: Perm.R | Perm.W,
    "str_enum": lambda: Level.LOW,
    "float_enum": lambda: Ratio.HALF,
    "datetime_naive": lambda: DT,
    "datetime_aware": lambda: DT.replace(tzinfo=UTC),
    "datetime_offset": lambda: DT.replace(
        tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))
    ),
    "date": lambda: datetime.date(2020, 2, 29),
    "time": lambda: datetime.time(23, 59, 1, 500),
    "time_aware": lambda: datetime.time(8, 0, tzinfo=UTC),
    "timedelta": lambda: datetime.timedelta(days=1, seconds=2, microseconds=3),
    "timedelta_negative": lambda: datetime.timedelta(minutes=-90),
    "decimal_int": lambda: Decimal(42),
    "decimal_scientific": lambda: Decimal("1.000E+2"),
    "decimal_fraction": lambda: Decimal("3.14"),
    "decimal_trailing_zero": lambda: Decimal("3.0"),
    "decimal_positive_exponent": lambda: Decimal("1E+3"),
    "decimal_negative_zero": lambda: Decimal("-0.00"),
    "uuid": lambda: UUID1,
    "bytes": lambda: b"raw bytes",
    "path": lambda: Path("/tmp/some/file.txt"),
    "pure_posix_path": lambda: PurePosixPath("a/b"),
    "pure_windows_path": lambda: PureWindowsPath("C:/x/y"),
    "ipv4_address": lambda: IPv4Address("192.168.0.1"),
    "ipv4_network": lambda: IPv4Network("10.0.0.0/8"),
    "ipv4_interface": lambda: IPv4Interface("10.1.2.3/24"),
    "ipv6_address": lambda: IPv6Address("::1"),
    "ipv6_network": lambda: IPv6Network("2001:db8::/32"),
    "ipv6_interface": lambda: IPv6Interface("2001:db8::1/64"),
    "pattern": lambda: re.compile(r"^a+\d?$"),
    "secret_str": lambda: SecretStr("hunter2"),
    "secret_bytes": lambda: SecretBytes(b"hunter2"),
    "name_email": lambda: NameEmail("Ann", "ann@example.com"),
    "color": _color,
    "any_url": lambda: TypeAdapter(AnyUrl).validate_python("ftp://host/x"),
    "http_url": lambda: TypeAdapter(HttpUrl).validate_python("http://h.com/p?q=1"),
    "core_url": lambda: pydantic_core.Url("https://example.com"),
    "pydantic_undefined": lambda: PydanticUndefined,
    "empty_list": list,
    "empty_dict": dict,
    "list": lambda: [1, "a", None, 2.5, True],
    "tuple": lambda: (1, (2, 3), [4]),
    "namedtuple": lambda: Point(1, 2),
    "set": lambda: {3, 1, 2},
    "frozenset": lambda: frozenset({"only"}),
    "deque": lambda: collections.deque([DT, {"a": b"b"}]),
    "generator": _gen,
    "deque_of_sa_dicts": lambda: collections.deque([{"_sa_x": 1, "y": {"_sa": 2}}]),
    "dict": lambda: {"a": 1, "b": [1, 2], "c": {"d": None}},
    "dict_int_float_bool_none_keys": lambda: {3: "i", 2.5: "f", True: "b", None: "n"},
    "dict_str_enum_keys": lambda: {StrMixin.X: 1, Level.LOW: 2, Number.ONE: 3},
    "dict_tuple_set_values": lambda: {"t": (1, 2), "s": {5}, "f": frozenset()},
    "dict_model_value": lambda: {"model": _item(), "list": [_item()]},
    "dict_none_values": lambda: {"a": None, "b": {"c": None}},
    "ordered_dict": lambda: collections.OrderedDict([("z", 1), ("a", DT)]),
    "default_dict": lambda: collections.defaultdict(list, {"x": [uuid.UUID(int=1)]}),
    "counter": lambda: collections.Counter("aab"),
    "model": _item,
    "model_aliased": lambda: Aliased(itemId=1, note=None),
    "model_nested": _nested,
    "model_computed": lambda: WithComputed(width=2, height=3),
    "model_secrets": lambda: Secrets(
        password="p", token=b"t", url="https://example.com/a"
    ),
    "model_sa_alias": lambda: SaAlias(),
    "root_model_list": lambda: RootModel[list[int]]([1, 2]),
    "root_model_dict": lambda: RootModel[dict[str, Any]]({"_sa_x": 1, "y": 2}),
    "list_of_models": lambda: [_item(), Aliased(item_id=4)],
    "dataclass": lambda: Coord(1.0, 2.0),
    "dataclass_nested": lambda: Route(
        Coord(0, 0, "start"), [Coord(1, 1)], datetime.date(2024, 1, 1), _item()
    ),
    "object_vars": Bag,
    "object_pair_iterable": PairIterable,
    "object_mapping_like": MappingLike,
    "everything_in_a_list": lambda: [
        Plain.A,
        Number.ONE,
        DT,
        Decimal("1.1"),
        UUID1,
        {1, 2},
        _item(),
        Coord(1, 2),
        Bag(),
        {"nested": [{"deeper": (PurePosixPath("p"), Level.LOW)}]},
    ],
}

# Values whose native dicts make json.dumps(default=json_default) differ from
# FastAPI by design (see the json_default docstring); tested separately below.
NATIVE_DICT_CASES: dict[str, Callable[[], Any]] = {
    "dict_plain_enum_keys": lambda: {Plain.A: 1, Plain.B: 2},
    "dict_uuid_keys": lambda: {UUID1: "u"},
    "dict_date_keys": lambda: {datetime.date(2020, 1, 1): 1},
    "dict_decimal_keys": lambda: {Decimal(2): 1, Decimal("2.5"): 2},
    "dict_sa_keys": lambda: {"_sa_instance_state": 1, "_safe": 2, "ok": 3},
    "list_of_dict_sa_keys": lambda: [{"_sa": 1, "x": 2}],
}

ALL_VALUES = {**VALUES, **NATIVE_DICT_CASES}


def _dumps(value: Any, **kwargs: Any) -> str:
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), **kwargs
    )


def assert_same_json_data(actual: Any, expected: Any) -> None:
    """Equal values with equal types and equal key order, recursively."""
    assert type(actual) is type(expected), (actual, expected)
    if isinstance(expected, dict):
        assert list(actual) == list(expected)
        for key in expected:
            assert_same_json_data(actual[key], expected[key])
    elif isinstance(expected, list):
        assert len(actual) == len(expected)
        for got, want in zip(actual, expected, strict=True):
            assert_same_json_data(got, want)
    else:
        assert actual == expected


# --- jsonable_encoder versus FastAPI ---------------------------------------


@pytest.mark.parametrize("factory", ALL_VALUES.values(), ids=ALL_VALUES.keys())
def test_jsonable_encoder_matches_fastapi(factory: Callable[[], Any]) -> None:
    assert_same_json_data(
        jsonable_encoder(factory()), fastapi_jsonable_encoder(factory())
    )


@pytest.mark.parametrize("factory", VALUES.values(), ids=VALUES.keys())
def test_json_default_matches_fastapi_response_body(
    factory: Callable[[], Any],
) -> None:
    expected = _dumps(fastapi_jsonable_encoder(factory()))
    assert _dumps(factory(), default=json_default) == expected
    assert _dumps(jsonable_encoder(factory())) == expected
    body = fastapi_responses.JSONResponse(fastapi_jsonable_encoder(factory())).body
    assert _dumps(factory(), default=json_default).encode() == body


@pytest.mark.parametrize(
    "factory", NATIVE_DICT_CASES.values(), ids=NATIVE_DICT_CASES.keys()
)
def test_native_dicts_match_fastapi_once_encoded(factory: Callable[[], Any]) -> None:
    expected = _dumps(fastapi_jsonable_encoder(factory()))
    assert _dumps(jsonable_encoder(factory())) == expected
    # Encoding first makes the json_default path agree as well.
    assert _dumps(jsonable_encoder(factory()), default=json_default) == expected


def test_json_default_documented_dict_key_difference() -> None:
    with pytest.raises(TypeError, match="keys must be"):
        _dumps({UUID1: 1}, default=json_default)
    with pytest.raises(TypeError, match="keys must be"):
        _dumps({Plain.A: 1}, default=json_default)


def test_json_default_documented_sa_key_difference() -> None:
    value = {"_sa_state": 1, "x": 2}
    assert _dumps(value, default=json_default) == '{"_sa_state":1,"x":2}'
    assert _dumps(fastapi_jsonable_encoder(value)) == '{"x":2}'
    # Inside objects handled by json_default the rule does apply.
    assert _dumps({1}, default=json_default) == "[1]"
    assert _dumps(Coord(1, 2), default=json_default) == _dumps(
        fastapi_jsonable_encoder(Coord(1, 2))
    )


def test_json_default_documented_enum_content_difference() -> None:
    class Odd(str, enum.Enum):
        def __new__(cls, value: str, text: str) -> Self:
            member = str.__new__(cls, text)
            member._value_ = value
            return member

        A = ("value", "text")

    assert jsonable_encoder(Odd.A) == fastapi_jsonable_encoder(Odd.A) == "value"
    assert _dumps(Odd.A, default=json_default) == '"text"'


def test_nan_is_rejected_like_fastapi() -> None:
    for value in (float("nan"), Decimal("NaN"), {"x": float("inf")}):
        with pytest.raises(ValueError):
            _dumps(fastapi_jsonable_encoder(value))
        with pytest.raises(ValueError):
            _dumps(value, default=json_default)


def test_json_default_called_only_for_leaves() -> None:
    assert json_default(DT) == DT.isoformat()
    assert json_default(Decimal(5)) == 5
    assert json_default({2, 1}) == [1, 2]
    assert json_default(_item()) == fastapi_jsonable_encoder(_item())


# --- options ----------------------------------------------------------------

OPTION_CASES: list[tuple[str, Callable[[], Any], dict[str, Any]]] = [
    ("dict_include", lambda: {"a": 1, "b": 2, "c": 3}, {"include": {"a", "c"}}),
    ("dict_include_list", lambda: {"a": 1, "b": 2}, {"include": ["b"]}),
    ("dict_exclude", lambda: {"a": 1, "b": 2}, {"exclude": {"a"}}),
    ("dict_include_dict", lambda: {"a": 1, "b": 2}, {"include": {"a": True}}),
    (
        "dict_include_exclude",
        lambda: {"a": 1, "b": 2},
        {"include": {"a", "b"}, "exclude": {"b"}},
    ),
    ("dict_include_not_nested", lambda: {"a": {"a": 1, "b": 2}}, {"include": {"a"}}),
    ("list_of_dicts_include", lambda: [{"a": 1, "b": 2}, {"a": 3}], {"include": {"a"}}),
    ("model_include", _item, {"include": {"name", "tags"}}),
    ("model_exclude", _item, {"exclude": {"price"}}),
    ("model_nested_include", _nested, {"include": {"items": {0: {"name"}}}}),
    ("model_exclude_none", lambda: Item(name="n"), {"exclude_none": True}),
    ("model_exclude_unset", lambda: Item(name="n"), {"exclude_unset": True}),
    (
        "model_exclude_defaults",
        lambda: Item(name="n", price=Decimal("1.50")),
        {"exclude_defaults": True},
    ),
    ("model_by_alias_false", lambda: Aliased(itemId=1), {"by_alias": False}),
    ("model_exclude_none_nested_dict", _nested, {"exclude_none": True}),
    ("list_of_models_include", lambda: [_item(), _item()], {"include": {"name"}}),
    ("dataclass_include", lambda: Coord(1, 2, "x"), {"include": {"lat"}}),
    ("dataclass_exclude_none", lambda: Coord(1, 2), {"exclude_none": True}),
    (
        "dict_exclude_none",
        lambda: {"a": None, "b": {"c": None, "d": 1}, "e": [None]},
        {"exclude_none": True},
    ),
    ("object_exclude", Bag, {"exclude": {"when"}}),
    (
        "sqlalchemy_unsafe",
        lambda: {"_sa_x": 1, "y": {"_sa": 2}},
        {"sqlalchemy_safe": False},
    ),
    ("sqlalchemy_unsafe_model", SaAlias, {"sqlalchemy_safe": False}),
    (
        "custom_exact_type",
        lambda: {"when": DT},
        {"custom_encoder": {datetime.datetime: lambda d: d.timestamp()}},
    ),
    (
        "custom_by_isinstance",
        lambda: [DT, datetime.date(2020, 1, 1)],
        {"custom_encoder": {datetime.date: lambda d: d.year}},
    ),
    ("custom_overrides_str", lambda: ["a", 1], {"custom_encoder": {str: str.upper}}),
    (
        "custom_on_dict_keys",
        lambda: {UUID1: 1},
        {"custom_encoder": {uuid.UUID: lambda u: u.hex}},
    ),
    (
        "custom_not_inside_models",
        _item,
        {"custom_encoder": {Decimal: lambda d: "decimal"}},
    ),
    ("custom_on_model", _item, {"custom_encoder": {Item: lambda m: m.name}}),
    (
        "custom_first_isinstance_wins",
        lambda: Number.ONE,
        {"custom_encoder": {int: lambda i: "int", enum.Enum: lambda e: "enum"}},
    ),
]


@pytest.mark.parametrize(
    ("factory", "options"),
    [(factory, options) for _, factory, options in OPTION_CASES],
    ids=[name for name, _, _ in OPTION_CASES],
)
def test_options_match_fastapi(
    factory: Callable[[], Any], options: dict[str, Any]
) -> None:
    assert_same_json_data(
        jsonable_encoder(factory(), **options),
        fastapi_jsonable_encoder(factory(), **options),
    )


def test_exclude_none_and_include_examples() -> None:
    value = {"a": None, "b": 1, "c": {"d": None}}
    assert jsonable_encoder(value, exclude_none=True) == {"b": 1, "c": {}}
    assert jsonable_encoder(value, include={"a", "c"}) == {"a": None, "c": {"d": None}}
    assert jsonable_encoder(value, exclude=["a"]) == {"b": 1, "c": {"d": None}}


def test_custom_encoder_example() -> None:
    encoded = jsonable_encoder(
        {"at": DT, "id": UUID1}, custom_encoder={uuid.UUID: lambda u: u.int}
    )
    assert encoded == {"at": DT.isoformat(), "id": UUID1.int}


# --- errors -------------------------------------------------------------------


class Opaque:
    __slots__ = ()


class BadIterable:
    __slots__ = ()

    def __iter__(self) -> Iterator[int]:
        raise RuntimeError("boom")


@pytest.mark.parametrize(
    "factory",
    [object, Opaque, BadIterable, lambda: {"nested": [object()]}],
    ids=["object", "slots", "bad_iter", "nested"],
)
def test_unencodable_raises_value_error_like_fastapi(
    factory: Callable[[], Any],
) -> None:
    with pytest.raises(ValueError) as ours:
        jsonable_encoder(factory())
    with pytest.raises(ValueError) as theirs:
        fastapi_jsonable_encoder(factory())
    our_errors = ours.value.args[0]
    their_errors = theirs.value.args[0]
    assert [type(e) for e in our_errors] == [type(e) for e in their_errors]
    assert [str(e) for e in our_errors] == [str(e) for e in their_errors]
    assert len(our_errors) == 2
    assert ours.value.__cause__ is our_errors[-1]
    with pytest.raises(ValueError):
        _dumps({"x": factory()}, default=json_default)


def test_pydantic_v1_model_is_rejected() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydantic import v1

    class Old(v1.BaseModel):
        x: int = 1

    with pytest.raises(PydanticV1NotSupportedError):
        jsonable_encoder(Old())


def test_dataclass_type_is_rejected() -> None:
    with pytest.raises(TypeError):
        jsonable_encoder(Coord)


# --- table and isolation ----------------------------------------------------


def test_encoders_by_type_accepts_new_exact_types() -> None:
    class Token:
        __slots__ = ("text",)

        def __init__(self, text: str) -> None:
            self.text = text

    ENCODERS_BY_TYPE[Token] = lambda token: token.text
    try:
        assert jsonable_encoder({"t": Token("abc")}) == {"t": "abc"}
    finally:
        del ENCODERS_BY_TYPE[Token]


def test_encoders_by_type_covers_fastapi_table() -> None:
    assert set(fastapi_encoders.ENCODERS_BY_TYPE) <= set(ENCODERS_BY_TYPE) | {
        cls
        for cls in fastapi_encoders.ENCODERS_BY_TYPE
        if cls.__module__ == "fastapi.encoders"  # placeholder colour classes
    }


def test_modules_do_not_import_fastapi_or_starlette() -> None:
    code = (
        "import sys, fastrapi.encoders, fastrapi.status\n"
        "bad = sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('fastapi', 'starlette'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)
