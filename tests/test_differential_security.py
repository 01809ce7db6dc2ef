"""FastAPI's security tutorials 001-007 and every security scheme, on FastAPI and on fastrapi:
the same credentials (or none, or broken ones) get the same status, headers (WWW-Authenticate)
and body.

Tutorials 004 and 005 use PyJWT and pwdlib; here a small HMAC token (``FakeJWT``) and a salted
SHA-256 hasher stand in for them, with a fixed clock, so both apps issue the same tokens.
"""

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Annotated, Any

import pytest

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

from pydantic import BaseModel, ValidationError  # noqa: E402

from tests.differential import FASTAPI, FASTRAPI, check  # noqa: E402
from tests.test_differential_depends import dep  # noqa: E402

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


class InvalidTokenError(Exception):
    pass


class FakeJWT:
    """``jwt.encode``/``jwt.decode`` for HS256 with a fixed clock."""

    @staticmethod
    def _b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    def encode(self, payload: dict[str, Any], key: str, algorithm: str) -> str:
        claims = {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in payload.items()}
        body = self._b64(json.dumps(claims, sort_keys=True).encode())
        signature = self._b64(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest())
        return f"{body}.{signature}"

    def decode(self, token: str, key: str, algorithms: list[str]) -> dict[str, Any]:
        body, _, signature = token.partition(".")
        expected = self._b64(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(signature, expected):
            raise InvalidTokenError("signature")
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError as exc:
            raise InvalidTokenError("payload") from exc
        if claims.get("exp", 0) < NOW.timestamp():
            raise InvalidTokenError("expired")
        return claims


jwt = FakeJWT()


class PasswordHash:
    def hash(self, password: str) -> str:
        return "sha256$" + hashlib.sha256(b"salt" + password.encode()).hexdigest()

    def verify(self, password: str, hashed: str) -> bool:
        return hmac.compare_digest(self.hash(password), hashed)


password_hash = PasswordHash()
JOHN_HASH = password_hash.hash("secret")


# -- tutorials 001-003: bearer token and the password form ---------------------------------------


def tutorial001(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    app = fw.FastAPI()
    oauth2_scheme = d.OAuth2PasswordBearer(tokenUrl="token")

    @app.get("/items/")
    async def read_items(token: Annotated[str, d.Depends(oauth2_scheme)]):
        return {"token": token}

    return app


class User(BaseModel):
    username: str
    email: str | None = None
    full_name: str | None = None
    disabled: bool | None = None


def tutorial002(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    app = fw.FastAPI()
    oauth2_scheme = d.OAuth2PasswordBearer(tokenUrl="token")

    def fake_decode_token(token):
        return User(username=token + "fakedecoded", email="john@example.com", full_name="John Doe")

    async def get_current_user(token: Annotated[str, d.Depends(oauth2_scheme)]):
        return fake_decode_token(token)

    @app.get("/users/me")
    async def read_users_me(current_user: Annotated[User, d.Depends(get_current_user)]):
        return current_user

    return app


FAKE_USERS = {
    "johndoe": {"username": "johndoe", "full_name": "John Doe", "email": "johndoe@example.com",
                "hashed_password": "fakehashedsecret", "disabled": False},
    "alice": {"username": "alice", "full_name": "Alice Wonderson", "email": "alice@example.com",
              "hashed_password": "fakehashedsecret2", "disabled": True},
}


class UserInDB(User):
    hashed_password: str


def tutorial003(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    HTTPException, status = fw.HTTPException, fw.status
    app = fw.FastAPI()
    oauth2_scheme = d.OAuth2PasswordBearer(tokenUrl="token")

    def fake_hash_password(password: str):
        return "fakehashed" + password

    def get_user(db, username: str):
        if username in db:
            return UserInDB(**db[username])

    def fake_decode_token(token):
        return get_user(FAKE_USERS, token)

    async def get_current_user(token: Annotated[str, d.Depends(oauth2_scheme)]):
        user = fake_decode_token(token)
        if not user:
            raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Not authenticated",
                                headers={"WWW-Authenticate": "Bearer"})
        return user

    async def get_current_active_user(current_user: Annotated[User, d.Depends(get_current_user)]):
        if current_user.disabled:
            raise HTTPException(status_code=400, detail="Inactive user")
        return current_user

    @app.post("/token")
    async def login(form_data: Annotated[d.OAuth2PasswordRequestForm, d.Depends()]):
        user_dict = FAKE_USERS.get(form_data.username)
        if not user_dict:
            raise HTTPException(status_code=400, detail="Incorrect username or password")
        user = UserInDB(**user_dict)
        if not fake_hash_password(form_data.password) == user.hashed_password:
            raise HTTPException(status_code=400, detail="Incorrect username or password")
        return {"access_token": user.username, "token_type": "bearer"}

    @app.get("/users/me")
    async def read_users_me(current_user: Annotated[User, d.Depends(get_current_active_user)]):
        return current_user

    @app.post("/strict")
    def strict(form_data: Annotated[d.OAuth2PasswordRequestFormStrict, d.Depends()]):
        return {"grant_type": form_data.grant_type, "scopes": form_data.scopes, "client_id": form_data.client_id,
                "client_secret": form_data.client_secret}

    return app


BEARER = {"authorization": "Bearer johndoe"}


@pytest.mark.parametrize("headers", [
    {}, BEARER, {"authorization": "Bearer"}, {"authorization": "bearer abc"}, {"authorization": "Basic abc"},
    {"authorization": "Bearer a b"}, {"authorization": ""}, {"authorization": "Bearer    spaced  "},
])
def test_tutorial001_and_002_bearer(headers: dict[str, str]) -> None:
    check(tutorial001, "GET", "/items/", headers=headers)
    check(tutorial002, "GET", "/users/me", headers=headers)


@pytest.mark.parametrize("data", [
    {"username": "johndoe", "password": "secret"}, {"username": "johndoe", "password": "wrong"},
    {"username": "nobody", "password": "secret"}, {"username": "alice", "password": "secret2"}, {"username": "x"},
    {}, {"username": "johndoe", "password": "secret", "grant_type": "password", "scope": "me items"},
    {"username": "johndoe", "password": "secret", "grant_type": "implicit"},
])
def test_tutorial003_login_form(data: dict[str, str]) -> None:
    check(tutorial003, "POST", "/token", data=data)


def test_tutorial003_login_without_a_form() -> None:
    check(tutorial003, "POST", "/token", json={"username": "johndoe", "password": "secret"})


@pytest.mark.parametrize("token", [None, "johndoe", "alice", "nobody"])
def test_tutorial003_current_user(token: str | None) -> None:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    check(tutorial003, "GET", "/users/me", headers=headers)


@pytest.mark.parametrize("data", [
    {"username": "u", "password": "p"}, {"username": "u", "password": "p", "grant_type": "password"},
    {"username": "u", "password": "p", "grant_type": "password", "scope": "a  b", "client_id": "c",
     "client_secret": "s"},
    {"username": "u", "password": "p", "grant_type": "other"},
])
def test_password_request_form_strict(data: dict[str, str]) -> None:
    check(tutorial003, "POST", "/strict", data=data)


def test_the_login_forms_documents() -> None:
    """The plain form marks password and client_secret "format": "password"; the strict one does not."""
    check(tutorial003, "GET", "/openapi.json")


# -- tutorials 004-005: JWT and scopes -----------------------------------------------------------


SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30
JWT_USERS = {
    "johndoe": {"username": "johndoe", "full_name": "John Doe", "email": "johndoe@example.com",
                "hashed_password": JOHN_HASH, "disabled": False},
    "alice": {"username": "alice", "full_name": "Alice Chains", "email": "alicechains@example.com",
              "hashed_password": password_hash.hash("secret2"), "disabled": True},
}


class Token(BaseModel):
    access_token: str
    token_type: str


class TokenData(BaseModel):
    username: str | None = None
    scopes: list[str] = []


def jwt_app(fw: SimpleNamespace, with_scopes: bool) -> Any:
    d = dep(fw)
    HTTPException, status = fw.HTTPException, fw.status
    if with_scopes:
        oauth2_scheme = d.OAuth2PasswordBearer(
            tokenUrl="token", scopes={"me": "Read information about the current user.", "items": "Read items."})
    else:
        oauth2_scheme = d.OAuth2PasswordBearer(tokenUrl="token")
    app = fw.FastAPI()

    def get_user(db, username: str | None):
        if username in db:
            return UserInDB(**db[username])

    def authenticate_user(db, username: str, password: str):
        user = get_user(db, username)
        if not user:
            password_hash.verify(password, JOHN_HASH)  # the tutorial's timing-attack guard
            return False
        if not password_hash.verify(password, user.hashed_password):
            return False
        return user

    def create_access_token(data: dict, expires_delta: timedelta | None = None):
        to_encode = data.copy()
        expire = NOW + (expires_delta or timedelta(minutes=15))
        to_encode.update({"exp": expire})
        return jwt.encode(to_encode, SECRET_KEY, algorithm=ALGORITHM)

    if with_scopes:
        async def get_current_user(security_scopes: d.SecurityScopes, token: Annotated[str, d.Depends(oauth2_scheme)]):
            authenticate_value = f'Bearer scope="{security_scopes.scope_str}"' if security_scopes.scopes else "Bearer"
            credentials_exception = HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED, detail="Could not validate credentials",
                headers={"WWW-Authenticate": authenticate_value})
            try:
                payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
                username = payload.get("sub")
                if username is None:
                    raise credentials_exception
                scope: str = payload.get("scope", "")
                token_data = TokenData(scopes=scope.split(" "), username=username)
            except (InvalidTokenError, ValidationError):
                raise credentials_exception from None
            user = get_user(JWT_USERS, username=token_data.username)
            if user is None:
                raise credentials_exception
            for scope in security_scopes.scopes:
                if scope not in token_data.scopes:
                    raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Not enough permissions",
                                        headers={"WWW-Authenticate": authenticate_value})
            return user

        async def get_current_active_user(current_user: Annotated[User, d.Security(get_current_user, scopes=["me"])]):
            if current_user.disabled:
                raise HTTPException(status_code=400, detail="Inactive user")
            return current_user
    else:
        async def get_current_user(token: Annotated[str, d.Depends(oauth2_scheme)]):
            credentials_exception = HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED, detail="Could not validate credentials",
                headers={"WWW-Authenticate": "Bearer"})
            try:
                payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
                username = payload.get("sub")
                if username is None:
                    raise credentials_exception
                token_data = TokenData(username=username)
            except InvalidTokenError:
                raise credentials_exception from None
            user = get_user(JWT_USERS, username=token_data.username)
            if user is None:
                raise credentials_exception
            return user

        async def get_current_active_user(current_user: Annotated[User, d.Depends(get_current_user)]):
            if current_user.disabled:
                raise HTTPException(status_code=400, detail="Inactive user")
            return current_user

    @app.post("/token")
    async def login_for_access_token(form_data: Annotated[d.OAuth2PasswordRequestForm, d.Depends()]) -> Token:
        user = authenticate_user(JWT_USERS, form_data.username, form_data.password)
        if not user:
            raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED if not with_scopes else 400,
                                detail="Incorrect username or password",
                                headers={"WWW-Authenticate": "Bearer"} if not with_scopes else None)
        claims = {"sub": user.username}
        if with_scopes:
            claims["scope"] = " ".join(form_data.scopes)
        access_token = create_access_token(data=claims, expires_delta=timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES))
        return Token(access_token=access_token, token_type="bearer")

    @app.get("/users/me/", response_model=User)
    async def read_users_me(current_user: Annotated[User, d.Depends(get_current_active_user)]):
        return current_user

    if with_scopes:
        @app.get("/users/me/items/")
        async def read_own_items(current_user: Annotated[User, d.Security(get_current_active_user, scopes=["items"])]):
            return [{"item_id": "Foo", "owner": current_user.username}]

        @app.get("/status/")
        async def read_system_status(current_user: Annotated[User, d.Depends(get_current_user)]):
            return {"status": "ok"}
    else:
        @app.get("/users/me/items/")
        async def read_own_items(current_user: Annotated[User, d.Depends(get_current_active_user)]):
            return [{"item_id": "Foo", "owner": current_user.username}]

    return app


def tutorial004(fw: SimpleNamespace) -> Any:
    return jwt_app(fw, with_scopes=False)


def tutorial005(fw: SimpleNamespace) -> Any:
    return jwt_app(fw, with_scopes=True)


def token_for(username: str, scope: str | None = None, minutes: int = 30) -> str:
    claims: dict[str, Any] = {"sub": username, "exp": NOW + timedelta(minutes=minutes)}
    if scope is not None:
        claims["scope"] = scope
    return jwt.encode(claims, SECRET_KEY, ALGORITHM)


@pytest.mark.parametrize("factory", [tutorial004, tutorial005])
@pytest.mark.parametrize("data", [
    {"username": "johndoe", "password": "secret"}, {"username": "johndoe", "password": "wrong"},
    {"username": "ghost", "password": "secret"}, {"username": "johndoe", "password": "secret", "scope": "me items"},
    {"password": "secret"},
])
def test_jwt_login(factory: Any, data: dict[str, str]) -> None:
    check(factory, "POST", "/token", data=data)


@pytest.mark.parametrize("factory", [tutorial004, tutorial005])
@pytest.mark.parametrize("url", ["/users/me/", "/users/me/items/", "/status/"])
@pytest.mark.parametrize("token", [
    None, "garbage", token_for("johndoe"), token_for("johndoe", "me"), token_for("johndoe", "me items"),
    token_for("johndoe", "items"), token_for("alice", "me items"), token_for("ghost", "me"),
    token_for("johndoe", "me items", minutes=-1),
])
def test_jwt_protected_routes(factory: Any, url: str, token: str | None) -> None:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    check(factory, "GET", url, headers=headers)


# -- tutorials 006-007: HTTP Basic ---------------------------------------------------------------


def tutorial006(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    app = fw.FastAPI()
    security = d.HTTPBasic()

    @app.get("/users/me")
    def read_current_user(credentials: Annotated[d.HTTPBasicCredentials, d.Depends(security)]):
        return {"username": credentials.username, "password": credentials.password}

    return app


def tutorial007(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    app = fw.FastAPI()
    security = d.HTTPBasic()

    def get_current_username(credentials: Annotated[d.HTTPBasicCredentials, d.Depends(security)]):
        current_username_bytes = credentials.username.encode("utf8")
        is_correct_username = secrets.compare_digest(current_username_bytes, b"stanleyjobson")
        current_password_bytes = credentials.password.encode("utf8")
        is_correct_password = secrets.compare_digest(current_password_bytes, b"swordfish")
        if not (is_correct_username and is_correct_password):
            raise fw.HTTPException(status_code=fw.status.HTTP_401_UNAUTHORIZED, detail="Incorrect username or password",
                                   headers={"WWW-Authenticate": "Basic"})
        return credentials.username

    @app.get("/users/me")
    def read_current_user(username: Annotated[str, d.Depends(get_current_username)]):
        return {"username": username}

    return app


def basic(user: str, password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BASIC_HEADERS = [
    {}, basic("john", "secret"), basic("stanleyjobson", "swordfish"), basic("stanleyjobson", "wrong"),
    basic("", ""), {"authorization": "Basic"}, {"authorization": "Basic !!!"},
    {"authorization": "Basic " + base64.b64encode(b"nocolon").decode()},
    {"authorization": "Basic " + base64.b64encode("j\u00f6rg:pw".encode()).decode()},
    {"authorization": "Bearer abc"}, {"authorization": "basic " + base64.b64encode(b"a:b:c").decode()},
]


@pytest.mark.parametrize("factory", [tutorial006, tutorial007])
@pytest.mark.parametrize("headers", BASIC_HEADERS)
def test_http_basic(factory: Any, headers: dict[str, str]) -> None:
    check(factory, "GET", "/users/me", headers=headers)


# -- every scheme, with and without auto_error ---------------------------------------------------


def schemes_app(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    app = fw.FastAPI()
    schemes = {
        "bearer": d.HTTPBearer(), "digest": d.HTTPDigest(), "other": d.HTTPBase(scheme="Other"),
        "basic-realm": d.HTTPBasic(realm="simple"), "header": d.APIKeyHeader(name="x-key"),
        "query": d.APIKeyQuery(name="key"), "cookie": d.APIKeyCookie(name="session"),
        "oidc": d.OpenIdConnect(openIdConnectUrl="/openid"),
        "code": d.OAuth2AuthorizationCodeBearer(authorizationUrl="authorize", tokenUrl="token"),
        "oauth2": d.OAuth2(flows={"password": {"tokenUrl": "token", "scopes": {}}}),
        "password": d.OAuth2PasswordBearer(tokenUrl="token"),
    }
    optional = {
        "bearer": d.HTTPBearer(auto_error=False), "digest": d.HTTPDigest(auto_error=False),
        "other": d.HTTPBase(scheme="Other", auto_error=False),
        "basic-realm": d.HTTPBasic(realm="simple", auto_error=False),
        "header": d.APIKeyHeader(name="x-key", auto_error=False), "query": d.APIKeyQuery(name="key", auto_error=False),
        "cookie": d.APIKeyCookie(name="session", auto_error=False),
        "oidc": d.OpenIdConnect(openIdConnectUrl="/openid", auto_error=False),
        "code": d.OAuth2AuthorizationCodeBearer(authorizationUrl="authorize", tokenUrl="token", auto_error=False),
        "oauth2": d.OAuth2(auto_error=False), "password": d.OAuth2PasswordBearer(tokenUrl="token", auto_error=False),
    }

    def add(path: str, scheme: Any) -> None:
        @app.get(path)
        def endpoint(credentials: Annotated[Any, d.Depends(scheme)]):
            return credentials.model_dump() if isinstance(credentials, BaseModel) else credentials

    app.state.schemes = [*schemes.values(), *optional.values()]
    for name, scheme in schemes.items():
        add(f"/required/{name}", scheme)
    for name, scheme in optional.items():
        add(f"/optional/{name}", scheme)
    return app


SCHEMES = ["bearer", "digest", "other", "basic-realm", "header", "query", "cookie", "oidc", "code", "oauth2",
           "password"]
CREDENTIALS = [
    {}, {"authorization": "Bearer tok"}, {"authorization": "Digest abc"}, {"authorization": "Other x"},
    {"authorization": "Bearer"}, {"authorization": "Basic !!"}, basic("u", "p"), {"x-key": "k"}, {"x-key": ""},
    {"cookie": "session=s"},
]


@pytest.mark.parametrize("kind", ["required", "optional"])
@pytest.mark.parametrize("name", SCHEMES)
@pytest.mark.parametrize("headers", CREDENTIALS)
def test_every_scheme(kind: str, name: str, headers: dict[str, str]) -> None:
    check(schemes_app, "GET", f"/{kind}/{name}", headers=headers)
    if name == "query":
        check(schemes_app, "GET", f"/{kind}/{name}?key=abc", headers=headers)
        check(schemes_app, "GET", f"/{kind}/{name}?key=", headers=headers)


def test_scheme_models_match_fastapi() -> None:
    """What the OpenAPI generator reads: ``.model`` dumps and ``.scheme_name`` as FastAPI's."""
    expected, actual = schemes_app(FASTAPI).state.schemes, schemes_app(FASTRAPI).state.schemes
    assert len(actual) == len(expected) == 22
    for mine, theirs in zip(actual, expected, strict=True):
        assert mine.scheme_name == theirs.scheme_name
        dump = {"by_alias": True, "exclude_none": True, "mode": "json"}
        assert mine.model.model_dump(**dump) == theirs.model.model_dump(**dump)


def subclassed_scheme_app(fw: SimpleNamespace) -> Any:
    """The common pattern of auth code written for FastAPI: a scheme subclass whose ``async def __call__``
    awaits ``super().__call__(request)`` and checks the token itself."""
    d = dep(fw)

    class JWTBearer(d.HTTPBearer):  # type: ignore[misc, name-defined]
        async def __call__(self, request: fw.Request):  # type: ignore[no-untyped-def, override]
            credentials = await super().__call__(request)
            if credentials.credentials != "good":
                raise fw.HTTPException(status_code=403, detail="Invalid token")
            return credentials.credentials

    class QuietBearer(d.HTTPBearer):  # type: ignore[misc, name-defined]
        async def __call__(self, request: fw.Request):  # type: ignore[no-untyped-def, override]
            return await super().__call__(request=request)

    app = fw.FastAPI()

    @app.get("/jwt")
    def jwt(token: Annotated[str, d.Depends(JWTBearer())]) -> dict[str, str]:
        return {"token": token}

    @app.get("/quiet")
    def quiet(credentials: Annotated[Any, d.Depends(QuietBearer(auto_error=False))]) -> dict[str, Any]:
        return {"credentials": None if credentials is None else credentials.credentials}

    return app


@pytest.mark.parametrize(("url", "headers"), [
    ("/jwt", {"authorization": "Bearer good"}), ("/jwt", {"authorization": "Bearer bad"}), ("/jwt", {}),
    ("/quiet", {}), ("/quiet", {"authorization": "Bearer x"}), ("/openapi.json", {}),
])
def test_a_scheme_subclass_awaiting_super_call(url: str, headers: dict[str, str]) -> None:
    check(subclassed_scheme_app, "GET", url, headers=headers)
