"""migrator.identity_type: the type of the identity's tenant attribute, read from the class declaring it."""

from __future__ import annotations

import textwrap

import pytest

from codemods._signature import declared_params
from codemods._source import SourceSet
from migrator.identity_type import identity_id_type

MODELS = '''
from typing import Optional
import uuid

from sqlalchemy import BigInteger, Column, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlmodel import Field, SQLModel


class Base:
    id = Column(Integer, primary_key=True)


class Organisation(Base):
    name = Column(String)


class Team:
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[Optional[int]] = mapped_column(BigInteger(), nullable=True)


class Workspace(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str


class Account:
    id = Column(String(36), primary_key=True)
    org_id: uuid.UUID
'''

ROUTES = '''
from fastapi import Depends

from svc.models import Account, Organisation, Team, Workspace


def current_org() -> Organisation: ...


def org_of_caller(token: str = ""):
    if not token:
        return None
    found = store.session.query(Organisation).filter(Organisation.name == token).first()
    return found


def team_of_caller(team_id: int = 0):
    return store.get(Team, team_id)


def either(flag: bool = False):
    if flag:
        return Team()
    return Workspace()


def route(org: Organisation, team: "Team", ws: Optional[Workspace], account: Account, unannotated=Depends(current_org),
          unknown: Unknown = None):
    ...
'''


@pytest.fixture
def found(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/models.py").write_text(textwrap.dedent(MODELS))
    (tmp_path / "svc/routes.py").write_text(textwrap.dedent(ROUTES))
    sources = SourceSet(tmp_path)
    index = sources.get("svc/routes.py")
    params = declared_params(index.function("route"))

    def of(name: str, attr: str, dependency: str | None = None) -> str:
        return identity_id_type(params[name], dependency, attr, index, sources)

    return of


@pytest.mark.parametrize("name, attr, expected", [
    ("org", "id", "int"),  # inherited `Column(Integer)` of a base class
    ("team", "id", "int"),  # `Mapped[int]`, the annotation a string
    ("team", "org_id", "int"),  # `Mapped[Optional[int]]`, `mapped_column(BigInteger())`
    ("ws", "id", "int"),  # SQLModel `int | None = Field(primary_key=True)`, the parameter `Optional[...]`
    ("ws", "slug", "str"),
    ("account", "id", "str"),  # `Column(String(36))`
    ("account", "org_id", "str"),  # a UUID
    ("org", "missing", "str"),
    ("unknown", "id", "str"),  # a class migrator cannot read keeps the string
])
def test_the_type_of_an_identity_attribute(found, name, attr, expected):
    assert found(name, attr) == expected


def test_an_unannotated_identity_takes_its_dependencys_return_type(found):
    assert found("unannotated", "id", "svc.routes.current_org") == "int"
    assert found("unannotated", "id") == "str"
    # no annotation: what it returns (a query of the class, a lookup by key, ...)
    assert found("unannotated", "id", "svc.routes.org_of_caller") == "int"
    assert found("unannotated", "org_id", "svc.routes.team_of_caller") == "int"
    assert found("unannotated", "id", "svc.routes.either") == "str"  # two classes: unknown
