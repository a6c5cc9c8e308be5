"""Which table (or ORM model) is the service's tenant registry, read from the writes its provisioning makes.

A registry is a table written with one row per tenant that has a status-like column (``status``/``state`` text, an
``is_active`` flag, a ``deactivated_at`` timestamp) and a key naming the tenant. Among the writes the legacy
provisioning makes (`migrator.lifecycle.walk`), the best one by name (``tenants``, ``organizations``, ``schools``,
...) and columns wins; its columns get roles (id, status, email, plan, features, created/updated), their kinds come
from the ``CREATE TABLE`` in the code (or the model's annotations), and the connection the write used becomes the
one the generated code uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from migrator.location import Where
from migrator.shapes.source import ModuleIndex, SourceModule, resolve_expr

from .model import Connection, ImportName, Registry, RegistryColumn
from .sqltext import SqlTable, check_words, parse_tables
from .walk import Dep, Entered, Fn, Method, Obj, OrmSite, Portable, SqlSite, Sym, Unknown, WalkResult, static_string

TENANT_NOUNS = ("tenant", "organization", "organisation", "org", "school", "university", "workspace", "account",
                "customer", "company", "institution", "team")
STATUS_TEXT = ("status", "state", "tenant_status", "lifecycle_status")
STATUS_FLAG = ("is_active", "active", "enabled", "is_enabled")
STATUS_TIME = ("deactivated_at", "disabled_at", "suspended_at")
ROLES = {
    "email": ("email", "admin_email", "contact_email", "owner_email", "applicant_email"),
    "plan": ("plan", "tier", "plan_name", "subscription_plan"),
    "features": ("features", "feature_flags"),
    "created_at": ("created_at", "created", "registered_at"),
    "updated_at": ("updated_at", "modified_at", "updated"),
    "name": ("name", "tenant_name", "university_name", "school_name", "organization_name", "display_name"),
}
INACTIVE_WORDS = ("deactivated", "inactive", "disabled", "suspended")


@dataclass
class _Candidate:
    table: str
    columns: dict[str, str]  # column -> kind hint from the write ("literal:active", "placeholder", "json", ...)
    site: SqlSite | OrmSite
    score: float


def _noun(table: str) -> bool:
    words = re.split(r"[^a-z]+", table.lower())
    return any(w.rstrip("s") in TENANT_NOUNS or w in TENANT_NOUNS for w in words if w)


def _status_column(columns: list[str]) -> Optional[tuple[str, str]]:
    for names, kind in ((STATUS_TEXT, "text"), (STATUS_FLAG, "bool"), (STATUS_TIME, "timestamp")):
        found = next((c for c in columns if c.lower() in names), None)
        if found:
            return found, kind
    return None


def _id_column(table: str, columns: list[str], primary: Optional[str] = None) -> Optional[str]:
    """The column naming the tenant: ``tenant_id``, ``<table noun>_id``/``_key``/``_slug`` (``org_key`` in an
    ``organizations`` table), a model's primary key, ``slug``/``code``/``key``, else ``id``."""
    lowered = {c.lower(): c for c in columns}
    if "tenant_id" in lowered:
        return lowered["tenant_id"]
    if primary in columns:
        return primary
    singular = table.lower().rstrip("s")
    for column in columns:
        prefix, _, suffix = column.lower().rpartition("_")
        if suffix in ("id", "key", "slug", "code") and (prefix == singular or prefix in TENANT_NOUNS):
            return column
    for name in ("slug", "code", "key"):
        if name in lowered:
            return lowered[name]
    return primary if primary in columns else lowered.get("id")


def _score(table: str, columns: list[str], primary: Optional[str] = None) -> float:
    if _status_column(columns) is None or _id_column(table, columns, primary) is None:
        return 0.0
    score = 2.0 + (2.0 if _noun(table) else 0.0)
    score += 1.0 if any(c.lower() == "tenant_id" for c in columns) else 0.0
    score += 0.5 if any(c.lower() in ROLES["email"] for c in columns) else 0.0
    return score


# --- ORM models ---------------------------------------------------------------------------------------------------


def model_fields(cls: cst.ClassDef) -> dict[str, str]:
    """Annotated fields of a model class: name -> annotation source."""
    out = {}
    for stmt in cls.body.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                out[small.target.value] = cst.Module([]).code_for_node(small.annotation.annotation)
    return out


def is_orm_model(cls: cst.ClassDef) -> bool:
    """A SQLModel ``table=True`` class, or a SQLAlchemy declarative one (``__tablename__``)."""
    if any(k.keyword is not None and k.keyword.value == "table" and isinstance(k.value, cst.Name)
           and k.value.value == "True" for k in cls.keywords):
        return True
    for stmt in cls.body.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else (
                [small.target] if isinstance(small, cst.AnnAssign) else [])
            if any(isinstance(t, cst.Name) and t.value == "__tablename__" for t in targets):
                return True
    return False


def table_name(cls: cst.ClassDef, module: SourceModule) -> str:
    for stmt in cls.body.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value ==
                                                     "__tablename__" for t in small.targets):
                value = static_string(module, small.value)
                if value:
                    return value
    return cls.name.value.lower()  # SQLModel's default


def primary_key(cls: cst.ClassDef) -> Optional[str]:
    for stmt in cls.body.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
                text = cst.Module([]).code_for_node(small.value)
                if re.search(r"primary_key\s*=\s*True", text):
                    return small.target.value
    return None


def _enum_words(module: SourceModule, annotation: str, modules: ModuleIndex) -> tuple[Optional[str], list[str]]:
    """(dotted enum class, its values) when `annotation` names an Enum class of the service."""
    head = annotation.split("|")[0].strip().split("[")[0]
    where, definition = resolve_expr(module, cst.parse_expression(head), modules) if head else (None, None)
    if not isinstance(definition, cst.ClassDef) or where is None:
        return None, []
    bases = {(get_full_name_for_node(b.value) or "").rsplit(".", 1)[-1] for b in definition.bases}
    if not bases & {"Enum", "StrEnum", "IntEnum"}:
        return None, []
    words = []
    for stmt in definition.body.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.Assign) and isinstance(small.value, cst.SimpleString):
                words.append(str(small.value.evaluated_value))
    return f"{where.name}.{definition.name.value}", words


# --- the connection -----------------------------------------------------------------------------------------------


def _import(module: str, name: Optional[str]) -> list[ImportName]:
    return [ImportName(module=module, name=name)] if name else []


def _render(sym: Sym) -> Optional[tuple[str, list[ImportName]]]:
    """Python source producing `sym`'s value (not entered), with what it imports; None when it needs the request."""
    if isinstance(sym, Fn) and sym.kind in ("call", "contextmanager", "asynccontextmanager"):
        module, _, name = sym.dotted.rpartition(".")
        return f"{name}()", _import(module, name)
    if isinstance(sym, Dep) and sym.provider in ("call", "class"):
        module, _, name = sym.dotted.rpartition(".")
        return f"{name}()", _import(module, name)
    if isinstance(sym, Method):
        base = _render(sym.base)
        return (f"{base[0]}.{sym.name}()", base[1]) if base else None
    if isinstance(sym, Portable):
        imports = [ImportName(module=m, name=n) for m, n, _as in sym.imports if n and not _as]
        if any(n is None or a for _m, n, a in sym.imports):
            return None  # `import x as y` spellings: left to a person
        return sym.text, imports
    return None


def connection_for(receiver: Sym, *, api: str, awaited: bool, commits: bool) -> Optional[Connection]:
    """How to obtain, outside a request, the connection or session `receiver` is."""
    if isinstance(receiver, Entered):
        rendered = _render(receiver.cm)
        if rendered is None:
            return None
        return Connection(expression=rendered[0], imports=rendered[1], is_async=receiver.is_async, api=api,
                          awaited=awaited, commits=commits, evidence=f"with {rendered[0]} as ...")
    if isinstance(receiver, Dep) and receiver.provider in ("generator", "async-generator"):
        module, _, name = receiver.dotted.rpartition(".")
        wrapper = "contextmanager" if receiver.provider == "generator" else "asynccontextmanager"
        return Connection(expression=f"{wrapper}({name})()", imports=[ImportName(module="contextlib", name=wrapper),
                                                                        ImportName(module=module, name=name)],
                          is_async=receiver.provider == "async-generator", api=api, awaited=awaited, commits=commits,
                          evidence=f"the route's dependency {receiver.dotted} (a yield dependency)")
    rendered = _render(receiver) if not isinstance(receiver, (Unknown, Obj, Entered)) else None
    if rendered is None:
        return None
    return Connection(expression=rendered[0], imports=rendered[1], enter=False, api=api, awaited=awaited,
                      commits=commits, evidence=f"{rendered[0]}")


# --- choosing -----------------------------------------------------------------------------------------------------


class RegistryNotFound(Exception):
    """Why no registry could be used: the message says what was found, with file:line."""


def _schemas(modules: list[SourceModule]) -> dict[str, SqlTable]:
    """CREATE TABLE statements in the module-level strings of `modules`, by table name."""
    tables: dict[str, SqlTable] = {}
    for module in modules:
        for definition in module.definitions.values():
            if isinstance(definition, (cst.Assign, cst.AnnAssign)) and definition.value is not None:
                text = static_string(module, definition.value)
                if text and "CREATE" in text.upper():
                    for table in parse_tables(text):
                        tables.setdefault(table.name, table)
    return tables


def find_registry(walk: WalkResult, modules: ModuleIndex) -> Registry:
    """The tenant registry among the writes of `walk`; `RegistryNotFound` says why there is none."""
    candidates = [c for c in (*map(_sql_candidate, walk.sql), *(_orm_candidate(s) for s in walk.orm)) if c]
    if not candidates:
        writes = [f"{s.write.table} ({s.module.path}:{s.line})" for s in walk.sql] + [
            f"{s.model} ({s.module.path}:{s.line})" for s in walk.orm]
        found = f"it writes {', '.join(writes)}" if writes else "it writes no table the analysis can read"
        raise RegistryNotFound(f"the legacy logic writes no tenant table with a status column: {found}")
    best = max(candidates, key=lambda c: c.score)
    site = best.site
    where = Where(file=site.module.path, line=site.line)
    api = "orm" if isinstance(site, OrmSite) else ("sqlalchemy" if site.via_text else "dbapi")
    connection = connection_for(site.receiver, api=api, awaited=site.awaited, commits=site.receiver in walk.commits)
    if connection is None:
        raise RegistryNotFound(f"the tenant table `{best.table}` is written at {where} through a connection the "
                               "generated code cannot obtain outside a request (it comes from the request or a value "
                               "the code computes)")
    involved = [modules(n.module) for n in connection.imports] + [site.module]
    schema = _schemas([m for m in involved if m is not None]).get(best.table)
    if isinstance(site, OrmSite):
        return _orm_registry(best, site, connection, where, walk, modules)
    return _sql_registry(best, site, connection, where, walk, schema)


def _sql_candidate(site: SqlSite) -> Optional[_Candidate]:
    if site.write.kind != "insert":
        return None
    columns = list(site.write.values)
    score = _score(site.write.table, columns)
    return _Candidate(site.write.table, {c: "" for c in columns}, site, score) if score else None


def _orm_candidate(site: OrmSite) -> Optional[_Candidate]:
    if not is_orm_model(site.model_node):
        return None
    fields = model_fields(site.model_node)
    table = table_name(site.model_node, site.model_module)
    score = _score(table, list(fields), primary_key(site.model_node))
    return _Candidate(table, fields, site, score) if score else None


def _roles(table: str, columns: list[str], primary: Optional[str] = None) -> dict[str, str]:
    roles = {"id": _id_column(table, columns, primary), "status": _status_column(columns)[0]}
    lowered = {c.lower(): c for c in columns}
    for role, names in ROLES.items():
        found = next((lowered[n] for n in names if n in lowered), None)
        if found and found not in roles.values():
            roles[role] = found
    return {role: column for role, column in roles.items() if column}


def _clock(walk: WalkResult) -> Optional[ImportName]:
    if not walk.clocks:
        return None
    module, _, name = walk.clocks[0].rpartition(".")
    return ImportName(module=module, name=name)


def _sql_registry(best: _Candidate, site: SqlSite, connection: Connection, where: Where, walk: WalkResult,
                  schema: Optional[SqlTable]) -> Registry:
    write = site.write
    roles = _roles(write.table, list(write.values))
    declared = schema.columns if schema else {}
    status_column, status_kind = _status_column(list(write.values))
    columns = []
    for role, column in roles.items():
        kind = "text"
        value = write.values[column]
        if role == "status":
            kind = status_kind
        elif role in ("created_at", "updated_at"):
            kind = "timestamp"
        elif value.placeholder is not None and value.placeholder in site.json:
            kind = "json"
        elif role == "id" and declared.get(column, "").startswith("INT"):
            kind = "int"
        columns.append(RegistryColumn(role=role, column=column, kind=kind,
                                      detail="json.dumps" if kind == "json" else None))
    words = check_words(schema.checks.get(status_column, "")) if schema and status_kind == "text" else []
    literal = write.values[status_column].literal
    active = literal if status_kind == "text" and literal else "active"
    evidence = [f"INSERT INTO {write.table} at {where} (in {site.function})",
                f"connection: {connection.evidence}"]
    if schema is not None:
        evidence.append(f"CREATE TABLE {schema.name} in the code: column types read from it")
    return Registry(table=write.table, columns=columns, connection=connection, paramstyle=write.paramstyle or "qmark",
                    active_value=active, inactive_value=_inactive(words), status_values=words, clock=_clock(walk),
                    written_at=where, evidence=evidence)


def _inactive(words: list[str]) -> str:
    return next((w for w in INACTIVE_WORDS if w in words), "deactivated" if not words else words[-1])


def _orm_registry(best: _Candidate, site: OrmSite, connection: Connection, where: Where, walk: WalkResult,
                  modules: ModuleIndex) -> Registry:
    fields = best.columns
    primary = primary_key(site.model_node)
    roles = _roles(best.table, list(fields), primary)
    status_column, status_kind = _status_column(list(fields))
    enum, words = _enum_words(site.model_module, fields[status_column], modules)
    columns = []
    for role, column in roles.items():
        annotation = fields[column]
        kind = "text"
        if role == "status":
            kind = "enum" if enum else status_kind
        elif "datetime" in annotation.lower():
            kind = "timestamp"
        elif re.match(r"^(int|Optional\[int\]|int \| None)$", annotation.strip()):
            kind = "int"
        elif role == "features" and re.search(r"list|dict|JSON", annotation):
            kind = "json"
        columns.append(RegistryColumn(role=role, column=column, kind=kind, detail=enum if kind == "enum" else None))
    active = "active" if not words or "active" in words else words[0]
    words = words if status_kind == "text" or enum else []
    assigned = roles["id"] == primary and _database_assigned(site.model_node, primary)
    evidence = [f"{site.model}(...) added to the session at {where} (in {site.function})",
                f"session: {connection.evidence}"]
    if assigned:
        evidence.append(f"the database assigns {site.model}.{primary} (an integer primary key defaulting to None)")
    return Registry(table=best.table, model=site.model, columns=columns, connection=connection, active_value=active,
                    inactive_value=_inactive(words), status_values=words, clock=_clock(walk), written_at=where,
                    evidence=evidence, assigned_ids=assigned)


def _database_assigned(cls: cst.ClassDef, primary: Optional[str]) -> bool:
    """An integer primary key the model leaves to the database (``id: int | None = Field(default=None, ...)``,
    ``Mapped[int] = mapped_column(Integer, primary_key=True)`` without a default)."""
    for stmt in cls.body.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == primary:
                annotation = cst.Module([]).code_for_node(small.annotation.annotation)
                value = cst.Module([]).code_for_node(small.value) if small.value is not None else ""
                integer = re.search(r"\bint\b", annotation) is not None
                return integer and ("default=None" in value.replace(" ", "") or "default" not in value)
    return False
