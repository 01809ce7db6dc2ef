"""``/openapi.json`` of the same app on FastAPI and on fastrapi: the same bytes.

The tutorial apps of the other differential suites (parameters, bodies, forms, files, response
models, routers, dependencies...) are served again here for their document, and the tutorials of
the OpenAPI pages (metadata, path operation configuration, additional responses, callbacks,
webhooks, operation ids, ``openapi_extra``, examples, separate input/output schemas, security)
are built here the same way: one factory taking the framework namespace ``fw``.
"""

import copy
import enum
import json
from types import SimpleNamespace
from typing import Annotated, Any

import pytest

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

import fastapi  # noqa: E402
import fastapi.openapi.utils  # noqa: E402
import fastapi.responses  # noqa: E402
import fastapi.routing  # noqa: E402
import fastapi.security  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field, computed_field  # noqa: E402

import fastrapi  # noqa: E402
import fastrapi.openapi.utils  # noqa: E402
import fastrapi.responses  # noqa: E402
import fastrapi.security  # noqa: E402
from tests import (  # noqa: E402
    test_differential_bigger,
    test_differential_core,
    test_differential_files,
    test_differential_params,
    test_differential_params_types,
)
from tests.differential import FASTRAPI, check, clients  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore:Duplicate Operation ID", "ignore:'HTTP_422", "ignore:The `root_path` parameter is deprecated")

_EXTRA = {
    "fastapi": SimpleNamespace(
        Depends=fastapi.Depends, Security=fastapi.Security, Form=fastapi.Form, File=fastapi.File,
        UploadFile=fastapi.UploadFile, FileResponse=fastapi.responses.FileResponse, security=fastapi.security,
        get_openapi=fastapi.openapi.utils.get_openapi, APIRoute=fastapi.routing.APIRoute,
    ),
    "fastrapi": SimpleNamespace(
        Depends=fastrapi.Depends, Security=fastrapi.Security, Form=fastrapi.Form, File=fastrapi.File,
        UploadFile=fastrapi.UploadFile, FileResponse=fastrapi.responses.FileResponse, security=fastrapi.security,
        get_openapi=fastrapi.openapi.utils.get_openapi, APIRoute=fastrapi.APIRoute,
    ),
}


def ext(fw: SimpleNamespace) -> SimpleNamespace:
    return _EXTRA[fw.name]


def check_document(factory: Any, url: str = "/openapi.json") -> None:
    """The document is served with the same status, headers and bytes by both frameworks."""
    answer = check(factory, "GET", url, ignore_headers=frozenset({"x-process-time"}))
    assert answer.status_code == 200 and answer.json()["openapi"] == "3.1.0"


# -- the apps of the other differential suites ---------------------------------------------------

TUTORIAL_APPS = [
    test_differential_core.hello_app, test_differential_core.first_steps_app,
    test_differential_core.errors_tutorial001, test_differential_core.errors_tutorial002,
    test_differential_core.errors_tutorial003, test_differential_core.errors_tutorial004,
    test_differential_core.errors_tutorial005, test_differential_core.errors_tutorial006,
    test_differential_core.no_redirect_app, test_differential_core.returns_app,
    test_differential_core.exceptions_app, test_differential_core.custom_handlers_app,
    test_differential_core.catch_all_app, test_differential_core.params_app,
    test_differential_params.path_params_app, test_differential_params.numeric_validations_app,
    test_differential_params.query_params_app, test_differential_params.query_models_app,
    test_differential_params.body_app, test_differential_params.nested_app,
    test_differential_params.header_cookie_app, test_differential_params.forms_app,
    test_differential_params.oauth_form_app, test_differential_params.response_model_app,
    test_differential_params.encoder_app,
    test_differential_params_types.types_app, test_differential_params_types.bad_body_app,
    test_differential_params_types.loose_app, test_differential_params_types.limits_app,
    test_differential_params_types.no_params_app, test_differential_params_types.app_form_limits_app,
    test_differential_params_types.misc_app, test_differential_params_types.explicit_json_app,
    test_differential_files.files_app,
    test_differential_bigger.bigger_app, test_differential_bigger.middleware_tutorial,
    test_differential_bigger.cors_tutorial, test_differential_bigger.gzip_tutorial,
    test_differential_bigger.lifespan_tutorial, test_differential_bigger.settings_tutorial,
    test_differential_bigger.app_testing_tutorial, test_differential_bigger.app_testing_extended,
    test_differential_bigger.root_path_app,
]


@pytest.mark.parametrize("factory", TUTORIAL_APPS, ids=lambda f: f.__name__)
def test_tutorial_app_document(factory: Any) -> None:
    check_document(factory)


def _without_method_ids(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the operation ids of multi-method routes cut before their method.

    FastAPI names such an operation after ``list(route.methods)[0]``, the first method of a *set*:
    it changes with the process's string hash seed. fastrapi takes the first method given.
    """
    document = copy.deepcopy(document)
    for item in document["paths"].values():
        ids = [op.get("operationId") for op in item.values() if isinstance(op, dict)]
        for operation in item.values():
            if len(ids) > 1 and ids.count(operation.get("operationId")) > 1:
                operation["operationId"] = operation["operationId"].rsplit("_", 1)[0]
    return document


@pytest.mark.parametrize("factory", [test_differential_core.routing_app, test_differential_bigger.routers_app],
                         ids=lambda f: f.__name__)
def test_multi_method_routes_document(factory: Any) -> None:
    expected, actual = (client.get("/openapi.json") for client in clients(factory))
    assert actual.status_code == expected.status_code == 200
    assert _without_method_ids(actual.json()) == _without_method_ids(expected.json())


def test_first_steps_document_is_the_same_bytes() -> None:
    answer = check(test_differential_core.first_steps_app, "GET", "/openapi.json")
    assert answer.json()["paths"]["/"]["get"]["operationId"] == "root__get"


# -- metadata and docs URLs ----------------------------------------------------------------------


def metadata_app(fw: SimpleNamespace) -> Any:
    description = """
ChimichangApp API helps you do awesome stuff. 🚀

## Items

You can **read items**.
"""
    tags_metadata = [
        {"name": "users", "description": "Operations with users. The **login** logic is also here."},
        {"name": "items", "description": "Manage items. So _fancy_ they have their own docs.",
         "externalDocs": {"description": "Items external docs", "url": "https://fastapi.tiangolo.com/"}},
    ]
    app = fw.FastAPI(
        title="ChimichangApp", summary="Deadpool's favorite app. Nuff said.", description=description,
        version="0.0.1", terms_of_service="http://example.com/terms/",
        contact={"name": "Deadpoolio the Amazing", "url": "http://x-force.example.com/contact/",
                 "email": "dp@x-force.example.com"},
        license_info={"name": "Apache 2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0.html"},
        openapi_tags=tags_metadata, openapi_url="/api/v1/openapi.json",
        servers=[{"url": "https://stag.example.com", "description": "Staging environment"},
                 {"url": "https://prod.example.com", "description": "Production environment"}],
        openapi_external_docs={"description": "More docs", "url": "https://example.com/docs"},
    )

    @app.get("/users/", tags=["users"])
    async def get_users():
        return [{"name": "Harry"}, {"name": "Ron"}]

    @app.get("/items/", tags=["items"])
    async def get_items():
        return [{"name": "wand"}, {"name": "flying broom"}]

    return app


def license_identifier_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(title="T", license_info={"name": "MIT", "identifier": "MIT"},
                     contact={"url": "https://example.com"})
    app.get("/")(lambda: 1)
    return app


def test_metadata_document() -> None:
    check_document(metadata_app, "/api/v1/openapi.json")
    check(metadata_app, "GET", "/openapi.json")  # moved: 404


def test_license_identifier_and_normalised_urls() -> None:
    check_document(license_identifier_app)


# -- path operation configuration ----------------------------------------------------------------


class Tags(enum.Enum):
    items = "items"
    users = "users"


class Item(BaseModel):
    name: str
    description: str | None = None
    price: float
    tax: float | None = None
    tags: set[str] = set()


class Secret(BaseModel):
    code: str


def path_config_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.post("/items/", response_model=Item, status_code=fw.status.HTTP_201_CREATED, tags=["items"],
              summary="Create an item", response_description="The created item")
    async def create_item(item: Item):
        """
        Create an item with all the information:

        - **name**: each item must have a name
        - **description**: a long description
        \f
        :param item: User input.
        """
        return item

    @app.get("/items/", tags=[Tags.items])
    async def read_items():
        return [{"name": "Foo", "price": 42}]

    @app.get("/users/", tags=[Tags.users], description="Read the users", deprecated=True)
    async def read_users():
        return [{"username": "johndoe"}]

    @app.get("/elements/", tags=["items"], deprecated=True, operation_id="some_specific_id_you_define")
    async def read_elements():
        return [{"item_id": "Foo"}]

    @app.post("/hidden", include_in_schema=False)
    async def hidden(secret: Secret) -> Secret:  # its models stay out of the document too
        return secret

    @app.delete("/items/{item_id}", status_code=204, name="remove")
    def delete_item(item_id: int):
        return None

    return app


def test_path_operation_configuration() -> None:
    check_document(path_config_app)


# -- additional responses and response classes ---------------------------------------------------


class Message(BaseModel):
    message: str


def responses_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(responses={418: {"description": "I'm a teapot"}})
    shared = {404: {"description": "Item not found"}, 302: {"description": "The item was moved"},
              403: {"description": "Not enough privileges"}}

    @app.get("/items/{item_id}", response_model=Item, responses={404: {"model": Message}})
    async def read_item(item_id: str):
        return {"name": "Foo", "price": 1}

    @app.get("/image/{item_id}", response_model=Item,
             responses={200: {"content": {"image/png": {}}, "description": "Return the JSON item or an image."}})
    async def read_image(item_id: str, img: bool | None = None):
        return {"name": "Foo", "price": 1}

    @app.get("/combined/{item_id}", response_model=Item, responses={
        404: {"model": Message, "description": "The item was not found"},
        200: {"description": "Item requested by ID",
              "content": {"application/json": {"example": {"id": "bar", "value": "The bar tenders"}}}},
    })
    async def read_combined(item_id: str):
        return {"name": "Foo", "price": 1}

    @app.get("/predefined/{item_id}", response_model=Item,
             responses={**shared, 200: {"content": {"image/png": {}}}})
    async def read_predefined(item_id: str):
        return {"name": "Foo", "price": 1}

    @app.get("/ranges", responses={"4XX": {"model": Message}, "default": {"description": "Anything"},
                                   "5xx": {"description": "Server trouble"}})
    def ranges(q: int = 0):
        return q

    @app.get("/html", response_class=fw.HTMLResponse)
    def html():
        return "<p>hi</p>"

    @app.get("/text", response_class=fw.PlainTextResponse, response_model=Message)
    def text():
        return "hi"

    @app.get("/redirect", response_class=fw.RedirectResponse)
    def redirect():
        return "https://example.com"

    @app.get("/file", response_class=ext(fw).FileResponse)
    def file():
        return __file__

    @app.post("/empty", status_code=204, response_class=fw.Response)
    def empty():
        return None

    @app.get("/not-modified", status_code=304, responses={304: {"description": "Still fresh"}})
    def not_modified():
        return None

    @app.get("/list", response_model=list[Item])
    def list_items():
        return []

    @app.get("/annotated")
    def annotated() -> dict[str, Item]:
        return {}

    return app


def test_additional_responses_and_response_classes() -> None:
    check_document(responses_app)


# -- openapi_extra, examples, hidden and deprecated parameters -----------------------------------


class ExampleItem(BaseModel):
    name: str = Field(examples=["Foo"])
    price: float = Field(gt=0, description="The price", examples=[35.4])

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Foo", "price": 35.4}]})


def extra_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    Body, Query, Header = fw.Body, fw.Query, fw.Header

    @app.get("/items/", openapi_extra={"x-aperture-labs-portal": "blue"})
    async def read_items():
        return [{"item_id": "portal-gun"}]

    @app.post("/raw", openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": {
            "required": ["name", "price"], "type": "object",
            "properties": {"name": {"type": "string"}, "price": {"type": "number"}}}}}, "required": True},
        "responses": {"200": {"headers": {"X-Rate": {"schema": {"type": "integer"}}}}},
    })
    async def raw():
        return {}

    @app.put("/items/{item_id}")
    async def update_item(item_id: int, item: Annotated[ExampleItem, Body(openapi_examples={
        "normal": {"summary": "A normal example", "description": "A **normal** item works correctly.",
                   "value": {"name": "Foo", "price": 35.4}},
        "invalid": {"summary": "Invalid data is rejected with an error", "value": {"name": "Baz", "price": "x"}},
    })]):
        return {"item_id": item_id, "item": item}

    @app.put("/examples/{item_id}")
    async def examples(item_id: int, item: Annotated[ExampleItem, Body(examples=[{"name": "Bar", "price": 1}])],
                       importance: Annotated[int, Body(gt=0)], q: Annotated[str | None, Query(
                           alias="item-query", title="Query string", description="Query string for the items",
                           min_length=3, max_length=50, pattern="^fixedquery$", deprecated=True,
                           examples=["fixedquery"])] = None):
        return {}

    @app.get("/hidden-param")
    async def hidden_param(hidden: Annotated[str | None, Query(include_in_schema=False)] = None,
                           shown: Annotated[int, Query(openapi_examples={"one": {"value": 1}})] = 0,
                           strange: Annotated[str | None, Header(convert_underscores=False)] = None):
        return {}

    @app.post("/embed")
    async def embed(item: Annotated[Item, Body(embed=True)]):
        return item

    return app


def test_openapi_extra_examples_and_hidden_parameters() -> None:
    check_document(extra_app)


def test_a_route_reading_only_hidden_parameters_still_documents_its_422() -> None:
    document = clients(extra_app)[1].get("/openapi.json").json()
    operation = document["paths"]["/hidden-param"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["shown", "strange"]
    assert "422" in operation["responses"]


# -- operation ids -------------------------------------------------------------------------------


def _tag_and_name(route: Any) -> str:
    return f"{route.tags[0]}-{route.name}"


def _router_ids(route: Any) -> str:
    return f"router-{route.name}"


def _include_ids(route: Any) -> str:
    return f"include-{route.name}"


def unique_id_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(generate_unique_id_function=_tag_and_name)

    @app.post("/items/", response_model=list[Item], tags=["items"])
    async def create_item(item: Item):
        return []

    @app.get("/users/", tags=["users"])
    async def get_users(q: int = 0):
        return []

    router = fw.APIRouter(generate_unique_id_function=_router_ids)

    @router.post("/things/")
    async def create_thing(item: Item, extra: Annotated[int, fw.Body()]):
        return {}

    @router.get("/own/", tags=["x"], generate_unique_id_function=lambda route: "own-id")
    async def own(q: int = 0):
        return {}

    plain = fw.APIRouter()

    @plain.post("/plain/", tags=["plain"])
    async def create_plain(item: Item, other: Annotated[int, fw.Body()]):
        return {}

    nested = fw.APIRouter()

    @nested.get("/deep/", tags=["deep"])
    async def deep(q: int = 0):
        return {}

    plain.include_router(nested, prefix="/nested", generate_unique_id_function=_include_ids)
    app.include_router(router, prefix="/r")
    app.include_router(plain, prefix="/p")
    return app


def function_name_ids_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/items/")
    async def read_items():
        return [{"item_id": "Foo"}]

    for route in app.routes:
        if isinstance(route, ext(fw).APIRoute):
            route.operation_id = route.name
    return app


def test_generate_unique_id_function_at_every_level() -> None:
    check_document(unique_id_app)


def test_operation_ids_from_function_names() -> None:
    check_document(function_name_ids_app)


# -- separate input and output schemas -----------------------------------------------------------


class Described(BaseModel):
    name: str
    description: str | None = None


class WithComputed(BaseModel):
    width: int
    length: int = 1

    @computed_field  # type: ignore[prop-decorator]
    @property
    def area(self) -> int:
        return self.width * self.length


def _io_routes(app: Any) -> Any:
    @app.post("/items/")
    def create_item(item: Described) -> Described:
        return item

    @app.get("/items/")
    def read_items() -> list[Described]:
        return []

    @app.post("/rect")
    def rect(shape: WithComputed) -> WithComputed:
        return shape

    return app


def io_app(fw: SimpleNamespace) -> Any:
    return _io_routes(fw.FastAPI())


def io_joined_app(fw: SimpleNamespace) -> Any:
    return _io_routes(fw.FastAPI(separate_input_output_schemas=False))


@pytest.mark.parametrize("factory", [io_app, io_joined_app], ids=["separate", "joined"])
def test_separate_input_output_schemas(factory: Any) -> None:
    check_document(factory)


# -- callbacks and webhooks ----------------------------------------------------------------------


class Invoice(BaseModel):
    id: str
    title: str | None = None
    customer: str
    total: float


class InvoiceEvent(BaseModel):
    description: str
    paid: bool


class InvoiceEventReceived(BaseModel):
    ok: bool


class Subscription(BaseModel):
    username: str
    monthly_fee: float


def _callbacks_app(fw: SimpleNamespace, callback_path: str) -> Any:
    app = fw.FastAPI()
    callbacks = fw.APIRouter()

    @callbacks.post(callback_path, response_model=InvoiceEventReceived)
    def invoice_notification(body: InvoiceEvent):
        pass

    @app.post("/invoices/", callbacks=callbacks.routes)
    def create_invoice(invoice: Invoice, callback_url: str | None = None):
        """Create an invoice; the callback tells the caller when it is paid."""
        return {"msg": "Invoice received"}

    return app


def callbacks_app(fw: SimpleNamespace) -> Any:
    return _callbacks_app(fw, "/{$callback_url}/invoices/{$request.body.id}")


def callbacks_tutorial(fw: SimpleNamespace) -> Any:
    return _callbacks_app(fw, "{$callback_url}/invoices/{$request.body.id}")


def _webhooks_app(fw: SimpleNamespace, name: str) -> Any:
    app = fw.FastAPI()

    @app.webhooks.post(name)
    def new_subscription(body: Subscription):
        """When a new user subscribes to your service we'll send you a POST request with this data."""

    @app.get("/users/")
    def read_users():
        return ["Rick", "Morty"]

    return app


def webhooks_app(fw: SimpleNamespace) -> Any:
    return _webhooks_app(fw, "/new-subscription")


def webhooks_tutorial(fw: SimpleNamespace) -> Any:
    return _webhooks_app(fw, "new-subscription")


def test_callbacks() -> None:
    check_document(callbacks_app)


def test_webhooks() -> None:
    check_document(webhooks_app)


def test_callbacks_tutorial_verbatim() -> None:
    check_document(callbacks_tutorial)


def test_webhooks_tutorial_verbatim() -> None:
    check_document(webhooks_tutorial)


# -- security ------------------------------------------------------------------------------------


class User(BaseModel):
    username: str
    email: str | None = None


def security_app(fw: SimpleNamespace) -> Any:
    Depends, Security, sec = ext(fw).Depends, ext(fw).Security, ext(fw).security
    app = fw.FastAPI()
    oauth2 = sec.OAuth2PasswordBearer(tokenUrl="token", scopes={"me": "Read me", "items": "Read items"})
    basic = sec.HTTPBasic(realm="simple")
    api_key = sec.APIKeyHeader(name="X-API-Key", auto_error=False)
    query_key = sec.APIKeyQuery(name="key", scheme_name="QueryKey", description="A key in the query")
    bearer = sec.HTTPBearer(bearerFormat="JWT", description="A JWT")
    code_flow = sec.OAuth2AuthorizationCodeBearer(authorizationUrl="/authorize", tokenUrl="/token",
                                                  refreshUrl="/refresh", scopes={"read": "Read"})
    openid = sec.OpenIdConnect(openIdConnectUrl="https://example.com/.well-known/openid-configuration")

    def current_user(security_scopes: sec.SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> User:
        return User(username=token)

    def active_user(user: Annotated[User, Security(current_user, scopes=["me"])]) -> User:
        return user

    @app.post("/token")
    def login(form: Annotated[sec.OAuth2PasswordRequestForm, Depends()]):
        return {"access_token": form.username, "token_type": "bearer"}

    @app.get("/users/me", response_model=User)
    def me(user: Annotated[User, Depends(active_user)]):
        return user

    @app.get("/users/me/items")
    def my_items(user: Annotated[User, Security(active_user, scopes=["items"])]):
        return []

    @app.get("/basic")
    def basic_route(credentials: Annotated[sec.HTTPBasicCredentials, Depends(basic)]):
        return credentials.username

    @app.get("/keys", dependencies=[Depends(api_key), Depends(query_key)])
    def keys():
        return 1

    @app.get("/bearer")
    def bearer_route(credentials: Annotated[sec.HTTPAuthorizationCredentials, Depends(bearer)]):
        return 1

    @app.get("/code", dependencies=[Security(code_flow, scopes=["read"]), Depends(openid)])
    def code():
        return 1

    return app


def test_security_schemes_and_requirements() -> None:
    check_document(security_app)


# -- mounted apps, root path, servers ------------------------------------------------------------


def sub_applications_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/app")
    def read_main():
        return {"message": "Hello World from main app"}

    subapi = fw.FastAPI()

    @subapi.get("/sub")
    def read_sub():
        return {"message": "Hello World from sub API"}

    app.mount("/subapi", subapi)
    return app


def root_path_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(root_path="/api/v1", servers=[{"url": "https://example.com"}])
    app.get("/app")(lambda: {"ok": True})
    return app


def root_path_not_in_servers_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(root_path="/api/v1", root_path_in_servers=False)
    app.get("/app")(lambda: {"ok": True})
    return app


def test_mounted_sub_application_serves_its_own_document_under_its_prefix() -> None:
    check_document(sub_applications_app)
    check_document(sub_applications_app, "/subapi/openapi.json")


@pytest.mark.parametrize("factory", [root_path_app, root_path_not_in_servers_app], ids=["in", "not-in"])
def test_root_path_and_servers(factory: Any) -> None:
    check_document(factory)
    check_document(factory, "/api/v1/openapi.json")


# -- the document's route ------------------------------------------------------------------------


def no_docs_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(openapi_url=None)
    app.get("/docs")(lambda: {"mine": True})
    return app


@pytest.mark.parametrize(("method", "url"), [
    ("HEAD", "/openapi.json"), ("POST", "/openapi.json"), ("GET", "/openapi.json/"), ("GET", "/openapi.json?x=1"),
])
def test_document_route_methods_and_redirects(method: str, url: str) -> None:
    check(test_differential_core.first_steps_app, method, url)


@pytest.mark.parametrize("url", ["/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"])
def test_no_document_no_docs(url: str) -> None:
    check(no_docs_app, "GET", url)


def extending_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/items/")
    async def read_items():
        return [{"name": "Foo"}]

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = ext(fw).get_openapi(title="Custom title", version="2.5.0", summary="This is a very custom summary",
                                     description="Here's a longer description", routes=app.routes)
        schema["info"]["x-logo"] = {"url": "https://fastapi.tiangolo.com/img/logo-margin/logo-teal.png"}
        app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


def test_extending_the_document_with_get_openapi() -> None:
    check_document(extending_app)


def test_the_document_is_made_once_and_again_after_routes_change() -> None:
    app = fastrapi.FastAPI()
    app.get("/a")(lambda: 1)
    first = app.openapi()
    assert app.openapi() is first
    router = fastrapi.APIRouter()
    app.include_router(router, prefix="/r")
    second = app.openapi()
    assert second is not first and list(second["paths"]) == ["/a"]
    router.get("/late")(lambda: 2)  # a route added to an included router later is served, and documented
    assert list(app.openapi()["paths"]) == ["/a", "/r/late"]
    app.webhooks.post("/hook")(lambda: None)
    assert list(app.openapi()["webhooks"]) == ["/hook"]
    assert json.loads(fastrapi.testclient.TestClient(app).get("/openapi.json").content) == app.openapi()


# -- every document is valid OpenAPI 3.1 ---------------------------------------------------------

DOCUMENTED_APPS = [
    metadata_app, license_identifier_app, path_config_app, responses_app, extra_app, unique_id_app,
    function_name_ids_app, io_app, io_joined_app, callbacks_app, webhooks_app, security_app,
    sub_applications_app, root_path_app, extending_app,
    # types_app: its ``n: int = "x"`` default (a validate_default test) is not an integer, on purpose
    *[f for f in TUTORIAL_APPS if f is not test_differential_params_types.types_app],
]


@pytest.mark.parametrize("factory", DOCUMENTED_APPS, ids=lambda f: f.__name__)
def test_document_is_valid_openapi(factory: Any) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(factory(FASTRAPI).openapi())
