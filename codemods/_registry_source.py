"""The source of a generated tenant-registry module: read a tenant, set its status, through the service's own DB
helper (the connection the legacy provisioning wrote the registry with, `migrator.lifecycle.model.Registry`).

Three APIs, as the legacy write used them: a DB-API connection (``conn.execute(sql, params)``, sqlite3 and alike),
a SQLAlchemy session with ``text()`` SQL, an ORM model (SQLAlchemy declarative or SQLModel). Sync or async as the
legacy connection is. Statuses are words (``ACTIVE`` / ``INACTIVE``) whatever the column stores: a text status, a
boolean flag or a ``deactivated_at`` timestamp; `status_of(row)` reads the word back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._target import PythonTarget

if TYPE_CHECKING:  # the plan's model (migrator imports codemods, not the other way round)
    from migrator.lifecycle.model import Registry

_PLACEHOLDER = {"qmark": "?", "format": "%s"}
_DOC_ROLES = ("tenant_id", "status", "plan", "features", "created_at", "updated_at")

_OPTIONAL_RETURN = re.compile(r"-> Optional\[(.*)\]$")


@dataclass
class RegistrySource:
    """The module body (after its docstring and imports) and the imports it needs."""

    docstring: str
    body: str
    imports: set[tuple[str, str]] = field(default_factory=set)  # (module, name); name "" = `import module`
    is_async: bool = False


def _mark(registry: Registry, name: str) -> str:
    if registry.connection.api == "sqlalchemy" or registry.paramstyle == "named":
        return f":{name}"
    if registry.paramstyle == "pyformat":
        return f"%({name})s"
    return _PLACEHOLDER.get(registry.paramstyle, "?")


def _literal(sql: str, indent: str) -> list[str]:
    """`sql` as string literal line(s) at `indent`, split before FROM and WHERE when long (implicit
    concatenation joins them back)."""
    if len(sql) <= 70:
        return [f'{indent}"{sql}"']
    return [f'{indent}"{piece}"' for piece in re.split(r"(?= FROM | WHERE )", sql)]


def _params(registry: Registry, pairs: list[tuple[str, str]]) -> str:
    """The parameters argument: a tuple for positional styles, a dict for named ones."""
    if registry.connection.api == "sqlalchemy" or registry.paramstyle in ("named", "pyformat"):
        return "{" + ", ".join(f'"{name}": {value}' for name, value in pairs) + "}"
    return "(" + ", ".join(value for _, value in pairs) + ("," if len(pairs) == 1 else "") + ")"


class _Writer:
    def __init__(self, registry: Registry, service: str, target: PythonTarget) -> None:
        self.r = registry
        self.service = service
        self.target = target
        self.imports: set[tuple[str, str]] = {("typing", "Any")}
        connection = registry.connection
        self.is_async = connection.is_async or connection.awaited
        self.aw = "await " if connection.awaited else ""
        for name in connection.imports:
            self.imports.add((name.module, name.name))
        self.columns = [c for c in registry.columns if c.role != "name"]

    # -- pieces ---------------------------------------------------------------------------------------------------

    def col(self, role: str) -> str:
        column = self.r.column(role)
        return column.column if column else ""

    def now(self) -> str:
        if self.r.clock is not None:
            self.imports.add((self.r.clock.module, self.r.clock.name))
            return f"{self.r.clock.name}()"
        self.imports |= {("datetime", "datetime"), ("datetime", "timezone")}
        return "datetime.now(timezone.utc).replace(tzinfo=None)"

    def stamp(self) -> str:
        """The current time as the registry stores it: text for SQL (ISO 8601, seconds), a datetime for a model."""
        return self.now() if self.r.connection.api == "orm" else f'{self.now()}.isoformat(timespec="seconds")'

    def open(self, name: str = "conn") -> str:
        c = self.r.connection
        if not c.enter:
            return f"{name} = {c.expression}"
        return f"{'async ' if c.is_async else ''}with {c.expression} as {name}:"

    def key(self) -> tuple[list[str], str]:
        """Lines converting the standard (string) id into the registry's key, and the key's name."""
        if self.r.column("id").kind == "int":
            return ["if not tenant_id.isdigit():", "    return None", "key = int(tenant_id)"], "key"
        return [], "tenant_id"

    def indent(self, lines: list[str], levels: int = 1) -> list[str]:
        return [("    " * levels + line) if line else "" for line in lines]

    def block(self, inner: list[str]) -> list[str]:
        """`inner` inside the connection's `with` (or after its assignment)."""
        if self.r.connection.enter:
            return [self.open(), *self.indent(inner)]
        return [self.open(), *inner]

    def define(self, signature: str, doc: str, lines: list[str]) -> str:
        """A function; an `Optional[X]` return annotation in `signature` is written as the target's Python wants."""
        optional = _OPTIONAL_RETURN.search(signature)
        if optional is not None:
            signature = signature[: optional.start()] + "-> " + self.target.optional(optional.group(1))
            if not self.target.unions:
                self.imports.add(("typing", "Optional"))
        head = f"{'async ' if self.is_async else ''}def {signature}:"
        return "\n".join([head, f'    """{doc}"""', *self.indent(lines)]) + "\n"

    # -- status words ---------------------------------------------------------------------------------------------

    def status_write(self) -> str:
        """The value written to the status column for the word `status`."""
        column = self.r.column("status")
        if column.kind == "bool":
            return "status == ACTIVE"
        if column.kind == "timestamp":
            return f"None if status == ACTIVE else {self.stamp()}"
        if column.kind == "enum" and column.detail:
            module, _, name = column.detail.rpartition(".")
            self.imports.add((module, name))
            return f"{name}(status)"
        return "status"

    def status_read(self) -> str:
        """The standard status of `row`: "active" / "deactivated" for ACTIVE / INACTIVE, else the stored word."""
        column = self.r.column("status")
        read = f'row["{column.column}"]'
        if column.kind == "bool":
            return f'"active" if {read} else "deactivated"'
        if column.kind == "timestamp":
            return f'"deactivated" if {read} else "active"'
        word = f'str(getattr({read}, "value", {read}))' if column.kind == "enum" else read
        return f'{{ACTIVE: "active", INACTIVE: "deactivated"}}.get({word}, {word})'


def _sql_functions(w: _Writer) -> list[str]:
    r = w.r
    names = ", ".join(c.column for c in w.columns)
    id_column = w.col("id")
    convert, key = w.key()
    select = f"SELECT {names} FROM {r.table} WHERE {id_column} = {_mark(r, id_column)}"
    if r.connection.api == "sqlalchemy":
        w.imports.add(("sqlalchemy", "text"))
        fetch = [f"result = {w.aw}conn.execute(", "    text(", *_literal(select, "        "), "    ),",
                 f"    {_params(r, [(id_column, key)])},", ")", "row = result.mappings().first()"]
        done = "return None if row is None else dict(row)"
    else:
        statement = _literal(select, "    ")
        statement[-1] += ","
        fetch = [f"row = {w.aw}conn.execute(", *statement, f"    {_params(r, [(id_column, key)])},", ").fetchone()"]
        strict = ", strict=True" if w.target.unions else ""  # the row has the COLUMNS it selects (3.10: `strict`)
        done = f"return None if row is None else dict(zip(COLUMNS, row{strict}))"
    read = w.define("read_tenant(tenant_id: str) -> Optional[dict[str, Any]]",
                    f"The registry row of `tenant_id` (the `COLUMNS`), or None when {r.table} has no such tenant.",
                    [*convert, *w.block(fetch), done])
    sets = [(w.col("status"), w.status_write())]
    if w.col("updated_at"):
        sets.append((w.col("updated_at"), w.stamp()))
    assignments = ", ".join(f"{column} = {_mark(r, column)}" for column, _ in sets)
    update = f"UPDATE {r.table} SET {assignments} WHERE {id_column} = {_mark(r, id_column)}"
    params = _params(r, [*sets, (id_column, key)])
    if r.connection.api == "sqlalchemy":
        statement = ["    text(", *_literal(update, "        "), "    ),"]
    else:
        statement = _literal(update, "    ")
        statement[-1] += ","
    write = [f"{w.aw}conn.execute(", *statement, f"    {params},", ")"]
    if r.connection.commits or r.connection.api == "sqlalchemy":
        write.append(f"{w.aw}conn.commit()")
    convert_write = [line.replace("return None", "return") for line in convert]
    change = w.define("set_status(tenant_id: str, status: str) -> None",
                      "Write `status` (ACTIVE or INACTIVE)" + (" and the update time." if w.col("updated_at") else "."),
                      [*convert_write, *w.block(write)])
    return [read, change]


def _orm_functions(w: _Writer) -> list[str]:
    r = w.r
    module, _, model = (r.model or "").rpartition(".")
    w.imports.add((module, model))
    convert, key = w.key()
    id_column = w.col("id")
    if id_column in ("id",) or w.r.column("id").kind == "int":
        get = f"tenant = {w.aw}conn.get({model}, {key})"
    else:
        w.imports.add(("sqlalchemy", "select"))
        get = f"tenant = ({w.aw}conn.execute(select({model}).where({model}.{id_column} == {key}))).scalars().first()"
    read = w.define("read_tenant(tenant_id: str) -> Optional[dict[str, Any]]",
                    f"The registry row of `tenant_id` (the `COLUMNS` of {model}), or None.",
                    [*convert, *w.block([get, "if tenant is None:", "    return None",
                                         "return {column: getattr(tenant, column) for column in COLUMNS}"])])
    assign = [f"tenant.{w.col('status')} = {w.status_write()}"]
    if w.col("updated_at"):
        assign.append(f"tenant.{w.col('updated_at')} = {w.stamp()}")
    convert_write = [line.replace("return None", "return") for line in convert]
    change = w.define("set_status(tenant_id: str, status: str) -> None",
                      "Write `status` (ACTIVE or INACTIVE); nothing happens for an unknown tenant.",
                      [*convert_write, *w.block([get, "if tenant is None:", "    return", *assign, "conn.add(tenant)",
                                                 f"{w.aw}conn.commit()"])])
    return [read, change]


def _market_ids(w: _Writer) -> list[str]:
    """The map of the Service Market's tenant ids to the ids the database assigned, in the service's own database
    (a reseeded database starts a new map with it)."""
    w.imports.add(("sqlalchemy", "text"))
    aw = "await " if w.is_async else ""
    connection = f"{aw}conn.connection()" if w.r.connection.api == "orm" else "conn"
    table = "\n".join([
        "#: the Service Market's tenant ids and the ids this service's database gave the tenants created for them",
        "MARKET_IDS_TABLE = (",
        '    "CREATE TABLE IF NOT EXISTS market_tenant_ids"',
        '    " (market_id VARCHAR(128) PRIMARY KEY, service_id VARCHAR(64) NOT NULL UNIQUE)"',
        ")",
    ]) + "\n"
    lookup = w.define("_market_ids(sql: str, value: str) -> Optional[str]", "One id of the map, or None.", w.block([
        f"db = {connection}",
        f"{aw}db.execute(text(MARKET_IDS_TABLE))",
        f'row = ({aw}db.execute(text(sql), {{"value": value}})).first()',
        f"{aw}conn.commit()",
    ]) + ["return None if row is None else str(row[0])"])
    service = w.define("service_id_of(market_id: str) -> Optional[str]",
                       "The id of the tenant created for the market's `market_id`, or None.",
                       [f'return {aw}_market_ids("SELECT service_id FROM market_tenant_ids WHERE market_id = :value", '
                        "market_id)"])
    market = w.define("market_id_of(service_id: str) -> Optional[str]",
                      "The market's id of the tenant `service_id`, or None (a tenant the service created itself).",
                      [f'return {aw}_market_ids("SELECT market_id FROM market_tenant_ids WHERE service_id = :value", '
                       "service_id)"])
    record = w.define("record_market_id(market_id: str, service_id: str) -> bool",
                      "Remember that `service_id` was created for `market_id`; False when either is mapped already.",
                      w.block([
                          f"db = {connection}",
                          f"{aw}db.execute(text(MARKET_IDS_TABLE))",
                          f"taken = ({aw}db.execute(",
                          '    text("SELECT 1 FROM market_tenant_ids WHERE market_id = :market OR service_id = :service"),',
                          '    {"market": market_id, "service": service_id},',
                          ")).first()",
                          "if taken is None:",
                          f"    {aw}db.execute(",
                          '        text("INSERT INTO market_tenant_ids (market_id, service_id) VALUES (:market, :service)"),',
                          '        {"market": market_id, "service": service_id},',
                          "    )",
                          f"{aw}conn.commit()",
                      ]) + ["return taken is None"])
    return [table, lookup, service, market, record]


def _contact_sql(w: _Writer) -> str:
    r = w.r
    id_column, email = w.col("id"), w.col("email")
    mark = _mark(r, "email")
    order = ", ".join(c for c in (w.col("created_at"), id_column) if c)
    select = f"SELECT {id_column} FROM {r.table} WHERE lower({email}) = lower({mark}) ORDER BY {order} LIMIT 1"
    if r.connection.api == "sqlalchemy":
        fetch = [f"result = {w.aw}conn.execute(", "    text(", *_literal(select, "        "), "    ),",
                 f"    {_params(r, [('email', 'email.strip()')])},", ")", "row = result.first()"]
    else:
        statement = _literal(select, "    ")
        statement[-1] += ","
        fetch = [f"row = {w.aw}conn.execute(", *statement, f"    {_params(r, [('email', 'email.strip()')])},",
                 ").fetchone()"]
    return w.define("tenant_of_contact(email: str) -> Optional[str]",
                    "The tenant this contact e-mail owns (case-insensitive; the oldest), or None: the manual's reuse rule.",
                    [*w.block(fetch), "return None if row is None else str(row[0])"])


def _contact_orm(w: _Writer) -> str:
    module, _, model = (w.r.model or "").rpartition(".")
    w.imports |= {("sqlalchemy", "func"), ("sqlalchemy", "select")}
    id_column, email = w.col("id"), w.col("email")
    order = ", ".join(f"{model}.{c}" for c in (w.col("created_at"), id_column) if c)
    query = ["query = (", f"    select({model}.{id_column})",
             f"    .where(func.lower({model}.{email}) == email.strip().lower())", f"    .order_by({order})", ")"]
    return w.define("tenant_of_contact(email: str) -> Optional[str]",
                    "The tenant this contact e-mail owns (case-insensitive; the oldest), or None: the manual's reuse rule.",
                    [*w.block([*query, f"found = ({w.aw}conn.execute(query)).scalars().first()"]),
                     "return None if found is None else str(found)"])


def _document(w: _Writer) -> str:
    lines = ["return {"]
    roles = {"tenant_id": "id"}
    for field_name in _DOC_ROLES:
        column = w.r.column(roles.get(field_name, field_name))
        if field_name == "tenant_id":
            lines.append('    "tenant_id": str(row["%s"]),' % column.column)
        elif field_name == "status":
            lines.append('    "status": status_of(row),')
        elif column is None:
            continue
        elif column.kind == "json":
            w.imports.add(("json", ""))
            lines.append(f'    "{field_name}": json.loads(row["{column.column}"]) if row["{column.column}"] else None,'
                         "  # stored as JSON")
        elif column.kind == "timestamp" and w.r.connection.api == "orm":
            lines.append(f'    "{field_name}": row["{column.column}"].isoformat() if row["{column.column}"] else None,')
        else:
            lines.append(f'    "{field_name}": row["{column.column}"],')
    lines.append("}")
    body = "\n".join(["def status_document(row: dict[str, Any]) -> dict[str, Any]:",
                      '    """The row in the shape `shims.adapters.status_from_legacy` reads."""',
                      *("    " + line for line in lines)])
    return body + "\n"


def registry_source(registry: Registry, service: str, target: PythonTarget = PythonTarget()) -> RegistrySource:
    """The generated module for `registry` of `service`, in the Python `target` the service declares."""
    w = _Writer(registry, service, target)
    functions = _orm_functions(w) if registry.connection.api == "orm" else _sql_functions(w)
    status = "\n".join([
        "def status_of(row: dict[str, Any]) -> str:",
        '    """The standard status of a row: "active" for ACTIVE, "deactivated" for INACTIVE, else the stored word."""',
        f"    return {w.status_read()}",
    ]) + "\n"
    names = ", ".join(f'"{c.column}"' for c in w.columns)
    constants = "\n".join([
        "#: the words `set_status` writes and `status_of` reads for an active and a deactivated tenant",
        f'ACTIVE = "{registry.active_value}"',
        f'INACTIVE = "{registry.inactive_value}"',
        "#: the columns `read_tenant` returns",
        f"COLUMNS = ({names}{',' if len(w.columns) == 1 else ''})",
    ]) + "\n"
    where = f"{registry.written_at.file}:{registry.written_at.line}"
    docstring = (
        f"The tenant registry of {service}, as its provisioning writes it: `{registry.table}`"
        f"{f' (the model {registry.model})' if registry.model else ''}, written at {where}, reached the way the "
        f"legacy code reaches it ({registry.connection.evidence}).\n\n"
        "The Standard API's lifecycle operations read a tenant and change its status here. Generated by phase 1 of "
        "the migration from the legacy code; the service's own code from now on: edit it freely."
    )
    mapped = _market_ids(w) if registry.assigned_ids and registry.connection.api != "dbapi" else []
    if registry.column("email") is not None:
        functions.append(_contact_orm(w) if registry.connection.api == "orm" else _contact_sql(w))
    body = "\n\n".join([constants, *functions, status, _document(w), *mapped])
    return RegistrySource(docstring=docstring, body=body, imports=w.imports, is_async=w.is_async)
