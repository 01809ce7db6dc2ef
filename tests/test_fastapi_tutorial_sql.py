"""FastAPI's "SQL (Relational) Databases" page (SQLModel), against FastAPI: a hero table behind create, list with
offset/limit, read, partial update and delete, with a ``yield`` session dependency and separate create/public/
update models. Each framework gets its own in-memory SQLite database; the same requests go to both in order."""

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Annotated, Any

import pytest
from sqlalchemy.pool import StaticPool
from sqlmodel import Field, Session, SQLModel, create_engine, select

from tests.differential import check


class HeroBase(SQLModel):
    name: str = Field(index=True)
    age: int | None = Field(default=None, index=True)


class Hero(HeroBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    secret_name: str


class HeroPublic(HeroBase):
    id: int


class HeroCreate(HeroBase):
    secret_name: str


class HeroUpdate(HeroBase):
    name: str | None = None  # type: ignore[assignment]
    age: int | None = None
    secret_name: str | None = None


def heroes_app(fw: SimpleNamespace) -> Any:
    # One connection shared by every thread: an in-memory database lives as long as its connection.
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)

    def get_session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    SessionDep = Annotated[Session, fw.Depends(get_session)]
    app = fw.FastAPI()

    @app.post("/heroes/", response_model=HeroPublic)
    def create_hero(hero: HeroCreate, session: SessionDep) -> Any:
        db_hero = Hero.model_validate(hero)
        session.add(db_hero)
        session.commit()
        session.refresh(db_hero)
        return db_hero

    @app.get("/heroes/", response_model=list[HeroPublic])
    def read_heroes(session: SessionDep, offset: int = 0,
                    limit: Annotated[int, fw.Query(le=100)] = 100) -> Any:
        return session.exec(select(Hero).offset(offset).limit(limit)).all()

    @app.get("/heroes/{hero_id}", response_model=HeroPublic)
    def read_hero(hero_id: int, session: SessionDep) -> Any:
        hero = session.get(Hero, hero_id)
        if not hero:
            raise fw.HTTPException(status_code=404, detail="Hero not found")
        return hero

    @app.patch("/heroes/{hero_id}", response_model=HeroPublic)
    def update_hero(hero_id: int, hero: HeroUpdate, session: SessionDep) -> Any:
        db_hero = session.get(Hero, hero_id)
        if not db_hero:
            raise fw.HTTPException(status_code=404, detail="Hero not found")
        db_hero.sqlmodel_update(hero.model_dump(exclude_unset=True))
        session.add(db_hero)
        session.commit()
        session.refresh(db_hero)
        return db_hero

    @app.delete("/heroes/{hero_id}")
    def delete_hero(hero_id: int, session: SessionDep) -> dict[str, bool]:
        hero = session.get(Hero, hero_id)
        if not hero:
            raise fw.HTTPException(status_code=404, detail="Hero not found")
        session.delete(hero)
        session.commit()
        return {"ok": True}

    return app


STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/heroes/", {}),
    ("POST", "/heroes/", {"json": {"name": "Deadpond", "secret_name": "Dive Wilson"}}),
    ("POST", "/heroes/", {"json": {"name": "Rusty-Man", "secret_name": "Tommy Sharp", "age": 48}}),
    ("POST", "/heroes/", {"json": {"name": "Spider-Boy", "secret_name": "Pedro Parqueador", "id": 9000}}),
    ("POST", "/heroes/", {"json": {"name": "No secret"}}),
    ("POST", "/heroes/", {"json": {"name": "Old", "secret_name": "x", "age": "old"}}),
    ("GET", "/heroes/", {}),
    ("GET", "/heroes/?offset=1&limit=1", {}),
    ("GET", "/heroes/?limit=101", {}),
    ("GET", "/heroes/2", {}),
    ("GET", "/heroes/9000", {}),
    ("GET", "/heroes/abc", {}),
    ("PATCH", "/heroes/1", {"json": {"age": 30}}),
    ("PATCH", "/heroes/1", {"json": {"secret_name": "Dive"}}),
    ("PATCH", "/heroes/1", {"json": {"age": None}}),
    ("PATCH", "/heroes/77", {"json": {"age": 1}}),
    ("GET", "/heroes/1", {}),
    ("DELETE", "/heroes/2", {}),
    ("DELETE", "/heroes/2", {}),
    ("GET", "/heroes/", {}),
    ("GET", "/openapi.json", {}),
]


def test_the_heroes_app_answers_as_on_fastapi() -> None:
    for method, url, kwargs in STEPS:  # in order: each step sees the rows the steps before it wrote
        try:
            check(heroes_app, method, url, **kwargs)
        except AssertionError as failed:
            pytest.fail(f"{method} {url} {kwargs}: {failed}")
