"""Async engine and sessions (aiosqlite).

Two ways in, both used by the routes: `async with get_db() as session:` inside a body, and
`session: AsyncSession = Depends(get_session)` as a FastAPI dependency. Either commits when the block ends
without an error and rolls back otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from mentor.core.config import settings

_engines: dict[str, AsyncEngine] = {}


def _enable_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def get_engine() -> AsyncEngine:
    """One engine per database URL (the URL follows MENTOR_DATA_DIR). NullPool: a connection never outlives the
    event loop that opened it."""
    url = settings.DATABASE_URL
    engine = _engines.get(url)
    if engine is None:
        engine = create_async_engine(url, poolclass=NullPool)
        event.listen(engine.sync_engine, "connect", _enable_foreign_keys)
        _engines[url] = engine
    return engine


@asynccontextmanager
async def get_db() -> AsyncIterator[AsyncSession]:
    maker = async_sessionmaker(get_engine(), expire_on_commit=False)
    async with maker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def get_session() -> AsyncIterator[AsyncSession]:
    async with get_db() as session:
        yield session
