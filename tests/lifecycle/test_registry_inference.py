"""Tenant-registry inference on small services of our own (tests/lifecycle/cases.py), and the generated registry
module run against a real database: the row the legacy provisioning wrote is read, deactivated and reactivated."""

from __future__ import annotations

import asyncio
import importlib
import sqlite3
import sys
import textwrap
from pathlib import Path

import pytest

from codemods._registry_source import registry_source
from migrator.lifecycle import RouteFacts, registry_of
from migrator.lifecycle.registry import RegistryNotFound
from migrator.shapes.source import ModuleIndex

from .cases import ASYNC_TEXT, CASES, RAW_SQL, SQLALCHEMY_ORM, SQLMODEL, TIMESTAMP_STATUS, Case


def _write(root: Path, case: Case) -> None:
    for path, text in case.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"))
    (root / "svc" / "__init__.py").touch()


def _facts(case: Case) -> RouteFacts:
    module, _, name = case.route.rpartition(".")
    return RouteFacts(label=f"POST {name}", operation="activate_tenant", variant=None, primary=True, automatic=True,
                      reasons=(), file=module.replace(".", "/") + ".py", line=1, function=case.route, qualname=name,
                      dependencies=tuple(case.deps.items()))


def _registry(tmp_path: Path, case: Case):
    _write(tmp_path, case)
    return registry_of(ModuleIndex(tmp_path), [_facts(case)])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_registry_is_found_with_its_columns_connection_and_vocabulary(case, tmp_path):
    registry, why = _registry(tmp_path, case)
    if case.error:
        assert registry is None and case.error in why, why
        return
    assert registry is not None, why
    assert registry.table == case.table
    assert registry.column("id").column == case.id_column
    status = registry.column("status")
    assert (status.column, status.kind) == case.status
    assert registry.column("email").column == case.email
    assert registry.connection.expression == case.connection and registry.connection.api == case.api
    assert (registry.connection.is_async or registry.connection.awaited) == case.is_async
    assert (registry.active_value, registry.inactive_value) == (case.active, case.inactive)
    assert (f"{registry.clock.module}.{registry.clock.name}" if registry.clock else None) == case.clock
    assert registry.written_at.file.startswith("svc/") and registry.written_at.line > 1
    assert registry.assigned_ids == case.assigned


def test_the_reason_names_the_routes_it_started_from(tmp_path):
    registry, why = registry_of(ModuleIndex(tmp_path), [])
    assert registry is None and "no legacy route provisions tenants" in why


# --- the generated module, run ------------------------------------------------------------------------------------


def _generated(tmp_path: Path, case: Case):
    registry, why = _registry(tmp_path, case)
    assert registry is not None, why
    source = registry_source(registry, "svc")
    imports = "\n".join(f"from {m} import {n}" if n else f"import {m}" for m, n in sorted(source.imports))
    (tmp_path / "svc" / "tenant_registry.py").write_text(f'"""{source.docstring}"""\n\n{imports}\n\n\n{source.body}')
    compile((tmp_path / "svc" / "tenant_registry.py").read_text(), "tenant_registry.py", "exec")
    return registry


@pytest.fixture
def service(tmp_path, monkeypatch):
    """Import the case's `svc` package from tmp_path (and forget it afterwards)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("SVC_DB", str(tmp_path / "svc.db"))
    monkeypatch.setenv("SVC_URL", f"sqlite:///{tmp_path / 'svc.db'}")
    yield lambda name: importlib.import_module(f"svc.{name}")
    for name in [n for n in sys.modules if n == "svc" or n.startswith("svc.")]:
        del sys.modules[name]


def test_raw_sql_registry_reads_and_writes_the_legacy_row(tmp_path, service):
    _generated(tmp_path, RAW_SQL)
    service("orgs").open_org("acme", "Acme", "boss@acme.example", ["chat"])
    registry = service("tenant_registry")
    row = registry.read_tenant("acme")
    assert registry.status_of(row) == "active" and row["owner_email"] == "boss@acme.example"
    assert registry.status_document(row) == {"tenant_id": "acme", "status": "active", "plan": "basic",
                                             "features": ["chat"], "created_at": row["created_at"],
                                             "updated_at": row["updated_at"]}
    registry.set_status("acme", registry.INACTIVE)
    stored = sqlite3.connect(tmp_path / "svc.db").execute("SELECT state, updated_at FROM organizations").fetchone()
    assert stored == ("disabled", "2026-03-01T12:00:00")  # the legacy CHECK vocabulary and the service's clock
    assert registry.status_of(registry.read_tenant("acme")) == "deactivated"
    registry.set_status("acme", registry.ACTIVE)
    assert registry.status_of(registry.read_tenant("acme")) == "active"
    assert registry.read_tenant("nobody") is None
    assert registry.tenant_of_contact(" BOSS@acme.example") == "acme" and registry.tenant_of_contact("x@y") is None


def test_orm_registry_with_a_flag_and_an_integer_key(tmp_path, service):
    _generated(tmp_path, SQLALCHEMY_ORM)
    from sqlalchemy import create_engine

    models = service("models")
    models.Base.metadata.create_all(create_engine(f"sqlite:///{tmp_path / 'svc.db'}"))
    routes, db = service("routes"), service("db")
    created = routes.create_workspace({"name": "W", "email": "w@x.example"}, session=next(db.get_session()))
    registry = service("tenant_registry")
    tenant_id = str(created["id"])
    assert registry.status_of(registry.read_tenant(tenant_id)) == "active"
    registry.set_status(tenant_id, registry.INACTIVE)
    row = registry.read_tenant(tenant_id)
    assert row["is_active"] is False and registry.status_document(row)["status"] == "deactivated"
    assert registry.read_tenant("abc") is None and registry.read_tenant("999") is None
    assert registry.tenant_of_contact("W@X.example") == tenant_id and registry.tenant_of_contact("n@x") is None
    # the database numbers the workspaces: the market's ids are mapped in a table of that same database
    assert registry.service_id_of("acme_1") is None and registry.record_market_id("acme_1", tenant_id)
    assert not registry.record_market_id("acme_1", "42") and not registry.record_market_id("other_2", tenant_id)
    assert registry.service_id_of("acme_1") == tenant_id and registry.market_id_of(tenant_id) == "acme_1"
    stored = sqlite3.connect(tmp_path / "svc.db").execute("SELECT * FROM market_tenant_ids").fetchall()
    assert stored == [("acme_1", tenant_id)]


def test_sqlmodel_registry_keyed_by_its_primary_key_with_an_enum_status(tmp_path, service):
    _generated(tmp_path, SQLMODEL)
    from sqlmodel import SQLModel, create_engine

    service("models")
    SQLModel.metadata.create_all(create_engine(f"sqlite:///{tmp_path / 'svc.db'}"))
    routes, db = service("routes"), service("db")
    created = routes.register({"slug": "north-high", "name": "North", "email": "n@x.example"},
                              session=next(db.get_session()))
    registry = service("tenant_registry")
    tenant_id = str(created["id"])
    assert registry.status_of(registry.read_tenant(tenant_id)) == "active"
    registry.set_status(tenant_id, registry.INACTIVE)
    stored = sqlite3.connect(tmp_path / "svc.db").execute("SELECT status FROM school").fetchone()
    assert stored == ("closed",)  # the enum's own word for it
    assert registry.status_document(registry.read_tenant(tenant_id))["status"] == "deactivated"
    assert registry.read_tenant("north-high") is None  # the key is the integer id
    SQLModel.metadata.clear()


def test_async_text_registry(tmp_path, service, monkeypatch):
    _generated(tmp_path, ASYNC_TEXT)
    monkeypatch.setenv("SVC_URL", f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}")
    sqlite3.connect(tmp_path / "svc.db").executescript(ASYNC_TEXT.schema)

    async def scenario():
        await service("routes").provision({"id": "t1", "email": "a@b.example"})
        registry = service("tenant_registry")
        assert registry.status_of(await registry.read_tenant("t1")) == "active"
        await registry.set_status("t1", registry.INACTIVE)
        assert registry.status_of(await registry.read_tenant("t1")) == "deactivated"
        assert not hasattr(registry, "service_id_of")  # the service writes its own ids: no map
        return registry

    registry = asyncio.run(scenario())
    assert asyncio.iscoroutinefunction(registry.read_tenant)
    assert sqlite3.connect(tmp_path / "svc.db").execute("SELECT enabled FROM tenant_accounts").fetchone() == (0,)


def test_timestamp_status_registry(tmp_path, service):
    _generated(tmp_path, TIMESTAMP_STATUS)
    sqlite3.connect(tmp_path / "svc.db").executescript(TIMESTAMP_STATUS.schema)
    service("routes").add_tenant({"id": "t1", "email": "a@b.example"})
    registry = service("tenant_registry")
    assert registry.status_of(registry.read_tenant("t1")) == "active"
    registry.set_status("t1", registry.INACTIVE)
    assert registry.read_tenant("t1")["deactivated_at"]
    assert registry.status_of(registry.read_tenant("t1")) == "deactivated"
    registry.set_status("t1", registry.ACTIVE)
    assert registry.read_tenant("t1")["deactivated_at"] is None


def test_no_registry_is_an_error_with_its_reason():
    with pytest.raises(RegistryNotFound):
        from migrator.lifecycle.registry import find_registry
        from migrator.lifecycle.walk import WalkResult

        find_registry(WalkResult(), ModuleIndex(None))
