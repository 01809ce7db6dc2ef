"""An API with interactive docs: ``python examples/items_api.py``, then open http://127.0.0.1:8080/docs.

On a machine that cannot reach the CDN the docs load Swagger UI from the app itself:
``pip install 'fastrapi[docs-assets]'`` and ``FASTRAPI_DOCS_ASSETS=local python examples/items_api.py``.
"""

from typing import Annotated

from pydantic import BaseModel, Field

from fastrapi import Depends, FastrAPI, File, Form, HTTPException, Path, Query, UploadFile, status
from fastrapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

tags_metadata = [
    {"name": "items", "description": "Manage items: create, read, update and list them."},
    {"name": "users", "description": "Log in and read your own user."},
]

app = FastrAPI(
    title="Items API",
    summary="A small store of items, documented by OpenAPI.",
    version="1.0.0",
    contact={"name": "The items team", "email": "items@example.com"},
    license_info={"name": "MIT", "identifier": "MIT"},
    openapi_tags=tags_metadata,
)
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


class Item(BaseModel):
    name: str = Field(examples=["Hammer"])
    description: str | None = Field(default=None, max_length=300)
    price: float = Field(gt=0, description="The price in euros")
    tags: list[str] = []


class StoredItem(Item):
    id: int


class User(BaseModel):
    username: str
    full_name: str | None = None


class Message(BaseModel):
    detail: str


items: dict[int, StoredItem] = {1: StoredItem(id=1, name="Hammer", price=9.5, tags=["tools"])}


def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    if token != "secret-token":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid token", headers={"WWW-Authenticate": "Bearer"})
    return User(username="ada", full_name="Ada Lovelace")


@app.post("/token", tags=["users"])
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    """Trade a username and password for a bearer token (any user, password ``secret``)."""
    if form.password != "secret":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Incorrect username or password")
    return {"access_token": "secret-token", "token_type": "bearer"}


@app.get("/users/me", tags=["users"])
def read_me(user: Annotated[User, Depends(current_user)]) -> User:
    return user


@app.get("/items/", tags=["items"])
def list_items(q: Annotated[str | None, Query(min_length=2, description="Part of the name")] = None,
               skip: int = 0, limit: Annotated[int, Query(le=100)] = 10) -> list[StoredItem]:
    """List the items, optionally those whose name contains ``q``."""
    found = [i for i in items.values() if q is None or q.lower() in i.name.lower()]
    return found[skip:skip + limit]


@app.get("/items/{item_id}", tags=["items"], responses={404: {"model": Message, "description": "No such item"}})
def read_item(item_id: Annotated[int, Path(ge=1)]) -> StoredItem:
    if item_id not in items:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
    return items[item_id]


@app.post("/items/", tags=["items"], status_code=status.HTTP_201_CREATED)
def create_item(item: Item, user: Annotated[User, Depends(current_user)]) -> StoredItem:
    """Create an item (logged-in users only)."""
    stored = StoredItem(id=max(items, default=0) + 1, **item.model_dump())
    items[stored.id] = stored
    return stored


@app.put("/items/{item_id}", tags=["items"], deprecated=True)
def replace_item(item_id: int, item: Item) -> StoredItem:
    items[item_id] = StoredItem(id=item_id, **item.model_dump())
    return items[item_id]


@app.post("/items/{item_id}/picture", tags=["items"])
def upload_picture(item_id: int, picture: Annotated[UploadFile, File()],
                   caption: Annotated[str, Form()] = ""):
    return {"item_id": item_id, "filename": picture.filename, "caption": caption}


if __name__ == "__main__":
    app.serve("127.0.0.1", 8080)
