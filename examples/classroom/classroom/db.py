"""Engine and sessions (SQLModel, sync). Routes get a session as `session: SessionDep`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from classroom.config import get_settings

_engines: dict[str, Engine] = {}


def _foreign_keys_on(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def get_engine() -> Engine:
    """One engine per database URL (it follows CLASSROOM_DATA_DIR). NullPool: after a reseed, the next request opens
    the new file instead of a pooled handle on the old one."""
    url = get_settings().database_url
    if url not in _engines:
        engine = create_engine(url, poolclass=NullPool, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _foreign_keys_on)
        _engines[url] = engine
    return _engines[url]


def get_session() -> Iterator[Session]:
    with Session(get_engine()) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
