"""The body of a tenant-registration route of the service's own, from a Standard API ``ActivateRequest``.

A service that registers tenants through a route of its own shape (``POST /platform/tenants`` with ``{name, slug,
contact_email, plan}``) gets each field of its body model from the request by meaning: names from
``tenant_name``, e-mails from ``contact.email``, a contact name from ``contact.name``, a slug/key/code from the
market's tenant id (`shims.adapters.slug_for`), a plan from ``plan`` when the service knows that plan (an Enum's
value; else its own default), features from ``features``. A required field without a source keeps the route manual
(the reason names it and the model's file:line).
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst
from pydantic import BaseModel, Field

from migrator.location import Where
from migrator.shapes.source import ModuleIndex, SourceModule, resolve_expr

NAME = ("name", "title", "tenant_name", "display_name", "university_name", "school_name", "organization_name",
        "organisation_name", "company_name", "institution_name")
CONTACT_NAME = ("contact_name", "admin_name", "owner_name", "applicant_name", "contact_person")
KEY = ("slug", "key", "code", "handle", "subdomain", "short_name")
PLAN = ("plan", "tier", "plan_name", "subscription")
FEATURES = ("features", "feature_flags", "modules")
EXTERNAL_ID = ("tenant_id", "external_id", "market_id", "market_tenant_id")


class RegistrationField(BaseModel):
    field: str
    source: str  # tenant_name | contact_email | contact_name | slug | plan | features | tenant_id
    enum: Optional[str] = None  # plan: the Enum class the value must be one of (dotted), else a plain string


class Registration(BaseModel):
    model: str  # the body model (dotted)
    fields: list[RegistrationField] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)  # required fields without a source
    where: Where

    @property
    def complete(self) -> bool:
        return not self.missing


def _required(value: Optional[cst.BaseExpression]) -> bool:
    """A pydantic field without a default: no value, ``Field(...)``, or ``Field(<keywords without a default>)``."""
    if value is None:
        return True
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "Field"):
        return False
    positional = [a for a in value.args if a.keyword is None]
    if positional:
        return isinstance(positional[0].value, cst.Ellipsis)
    return not any(a.keyword.value in ("default", "default_factory") for a in value.args if a.keyword is not None)


def _fields(cls: cst.ClassDef) -> list[tuple[str, str, bool]]:
    """(name, annotation, required) of a pydantic model's annotated fields."""
    out = []
    for stmt in cls.body.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                annotation = cst.Module([]).code_for_node(small.annotation.annotation)
                out.append((small.target.value, annotation, _required(small.value)))
    return out


def _enum(module: SourceModule, annotation: str, modules: ModuleIndex) -> Optional[str]:
    head = annotation.split("|")[0].strip()
    if not re.match(r"^[A-Za-z_][\w.]*$", head):
        return None
    where, definition = resolve_expr(module, cst.parse_expression(head), modules)
    if isinstance(definition, cst.ClassDef) and where is not None and any(
            (cst.Module([]).code_for_node(b.value)).rsplit(".", 1)[-1] in ("Enum", "str", "StrEnum")
            for b in definition.bases):
        return f"{where.name}.{definition.name.value}"
    return None


def registration_for(module: SourceModule, cls: cst.ClassDef, modules: ModuleIndex) -> Registration:
    """How each field of the body model `cls` (defined in `module`) is filled from an ActivateRequest."""
    origin = module.origin(cls)
    out = Registration(model=f"{module.name}.{cls.name.value}",
                       where=Where(file=module.path, line=origin.line if origin else 0))
    for name, annotation, required in _fields(cls):
        lowered = name.lower()
        source, enum = None, None
        if lowered in NAME:
            source = "tenant_name"
        elif "email" in lowered:
            source = "contact_email"
        elif lowered in CONTACT_NAME:
            source = "contact_name"
        elif lowered in KEY:
            source = "slug"
        elif lowered in PLAN:
            source, enum = "plan", _enum(module, annotation, modules)
        elif lowered in FEATURES and "list" in annotation.lower():
            source = "features"
        elif lowered in EXTERNAL_ID and "str" in annotation:
            source = "tenant_id"
        if source is not None:
            out.fields.append(RegistrationField(field=name, source=source, enum=enum))
        elif required:
            out.missing.append(name)
    return out
