"""What phase 1 knows about a service's tenant lifecycle: how each lifecycle operation is served (or why not), and
the facts the generated code is written from (the tenant registry, the usage series, the deployment's tenant).

Mechanisms, in order of preference:

- ``route``: a legacy route the catalog maps to the operation (its logic moves, as for any other operation);
- ``derived``: from another operation's legacy data (a month's usage from the dashboard's monthly or daily series);
- ``registry``: the tenant registry the legacy provisioning writes (its table or ORM model, status column and DB
  helper, found statically), read and updated through the service's own DB helper;
- ``deployment``: a single-tenant deployment (``[tool.migrator] tenant``): the deployment is the tenant, its
  lifecycle state persisted by `shims.lifecycle`;
- ``none``: 501 NOT_IMPLEMENTED, with the reason.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

from migrator.location import Where

Mechanism = Literal["route", "derived", "registry", "deployment", "none"]
LIFECYCLE_OPERATIONS = ("activate_tenant", "deactivate_tenant", "get_tenant_status", "get_tenant_usage")


class ImportName(BaseModel):
    """``from <module> import <name>``."""

    module: str
    name: str


class Connection(BaseModel):
    """How the generated code obtains the connection or session the legacy write used, e.g.
    ``with get_registry() as conn`` or ``async with asynccontextmanager(get_session)() as session``."""

    expression: str  # the context manager (or the value, when `enter` is False), as Python source
    enter: bool = True  # `with <expression> as conn` (else `conn = <expression>`)
    is_async: bool = False  # `async with`
    imports: list[ImportName] = Field(default_factory=list)
    api: Literal["dbapi", "sqlalchemy", "orm"] = "dbapi"  # conn.execute(sql, params) / execute(text(...)) / ORM
    awaited: bool = False  # the session's calls are awaited (an AsyncSession)
    commits: bool = False  # the legacy code commits itself after its write
    evidence: str = ""  # where the legacy code obtains it


class RegistryColumn(BaseModel):
    role: Literal["id", "status", "email", "plan", "features", "created_at", "updated_at", "name"]
    column: str
    kind: Literal["text", "bool", "timestamp", "json", "enum", "int", "other"] = "text"
    detail: Optional[str] = None  # enum: the class (dotted); json: how it is written


class Registry(BaseModel):
    """The table (or ORM model) the legacy provisioning writes one row per tenant into."""

    table: str
    model: Optional[str] = None  # ORM: the model class (dotted)
    columns: list[RegistryColumn]
    connection: Connection
    paramstyle: Literal["qmark", "named", "format", "pyformat"] = "qmark"
    active_value: str = "active"  # what the status column holds for an active tenant
    inactive_value: str = "deactivated"  # what deactivation writes
    status_values: list[str] = Field(default_factory=list)  # a CHECK constraint's or an enum's words
    clock: Optional[ImportName] = None  # the service's clock (a function returning the current datetime)
    written_at: Where  # the INSERT / the model construction
    evidence: list[str] = Field(default_factory=list)
    #: the database assigns the tenant's id (an autoincrement key): the market's ids go through a map
    assigned_ids: bool = False

    def column(self, role: str) -> Optional[RegistryColumn]:
        return next((c for c in self.columns if c.role == role), None)


class UsageSource(BaseModel):
    """A month's usage derived from a series another operation's legacy route answers."""

    operation: str  # the operation whose legacy route answers it (get_tenant_stats, get_tenant_costs, ...)
    route: str  # "GET /admin/dashboard"
    series: list[str]  # the path of the list in the legacy answer
    granularity: Literal["month", "day"]
    key: str  # the element's month or date key
    fields: dict[str, str] = Field(default_factory=dict)  # UsageData field -> element key
    window: Optional[int] = None  # day series: how many days to ask the legacy route for (its largest window)
    window_param: Optional[str] = None  # the legacy parameter taking that window
    window_value: Optional[str] = None  # its widest value, when it takes named windows (an Enum of "7d"/"30d"/...)
    where: Where
    evidence: str = ""


class Deployment(BaseModel):
    """A single-tenant deployment: the tenant it serves, and where its lifecycle state lives."""

    tenant: Optional[str] = None
    tenant_env: Optional[str] = None
    state_env: str  # the environment variable naming the state file
    clock: Optional[ImportName] = None  # the service's clock, when its moved code calls one
    evidence: str = ""


class TenantIds(BaseModel):
    """The market's tenant ids mapped to the ones the service's database assigns (`shims.tenant_ids`; the map is a
    table of the service's own database, through the tenant-registry module)."""

    evidence: str = ""


class Reason(BaseModel):
    message: str
    file: Optional[str] = None
    line: Optional[int] = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.file else self.message


class LifecycleVerdict(BaseModel):
    operation: str
    mechanism: Mechanism
    summary: str  # one line: what serves it
    reasons: list[Reason] = Field(default_factory=list)  # why not a preferred mechanism (and, for none, why 501)

    @property
    def implemented(self) -> bool:
        return self.mechanism != "none"


class LifecyclePlan(BaseModel):
    operations: dict[str, LifecycleVerdict] = Field(default_factory=dict)
    reactivation: Mechanism = "none"  # how activate_tenant reactivates a deactivated tenant
    registry: Optional[Registry] = None
    usage: Optional[UsageSource] = None
    deployment: Optional[Deployment] = None
    tenant_ids: Optional[TenantIds] = None
    registration: Optional["Registration"] = None  # the body of a registration route of the service's own
    package_env: str = "SERVICE"  # the prefix of the environment variables the generated code reads
    registry_file: Optional[str] = None  # where phase 1 writes the tenant-registry module (when it uses one)
    registry_module: Optional[str] = None

    @property
    def uses_registry(self) -> bool:
        return self.registry is not None and (self.reactivation in ("registry", "route") or any(
            v.mechanism == "registry" for v in self.operations.values()))

    def lines(self) -> list[str]:
        """One line per lifecycle operation for reports: ``op: mechanism: summary (why not better)``."""
        out = []
        for operation in LIFECYCLE_OPERATIONS:
            verdict = self.operations.get(operation)
            if verdict is None:
                continue
            why = f" ({'; '.join(str(r) for r in verdict.reasons)})" if verdict.reasons else ""
            out.append(f"{operation}: {verdict.mechanism}: {verdict.summary}{why}")
        return out

    def mechanism(self, operation: str) -> Mechanism:
        verdict = self.operations.get(operation)
        return verdict.mechanism if verdict else "none"


from .registration import Registration  # noqa: E402 (a model of its own module, referenced above)

LifecyclePlan.model_rebuild()
