"""The body of a registration route of the service's own, field by field from an ActivateRequest."""

from __future__ import annotations

import textwrap

from migrator.lifecycle.registration import registration_for
from migrator.shapes.source import ModuleIndex

MODELS = '''
from enum import Enum
from pydantic import BaseModel, Field


class Tier(str, Enum):
    free = "free"
    pro = "pro"


class SignUp(BaseModel):
    organization_name: str = Field(min_length=2)
    code: str = Field(..., pattern="^[a-z0-9-]+$")
    tier: Tier = Tier.free
    owner_email: str
    admin_name: str | None = None
    modules: list[str] = []
    seats: int = Field(default=10)


class NeedsMore(BaseModel):
    name: str
    billing_account: str
    region: str = Field(description="where")
'''


def test_each_field_gets_its_source_and_the_required_rest_is_named(tmp_path):
    (tmp_path / "models.py").write_text(textwrap.dedent(MODELS))
    index = ModuleIndex(tmp_path)
    module = index("models")
    signup = registration_for(module, module.definitions["SignUp"], index)
    assert {f.field: (f.source, f.enum) for f in signup.fields} == {
        "organization_name": ("tenant_name", None), "code": ("slug", None), "tier": ("plan", "models.Tier"),
        "owner_email": ("contact_email", None), "admin_name": ("contact_name", None), "modules": ("features", None)}
    assert signup.complete and signup.where.file == "models.py"
    needs = registration_for(module, module.definitions["NeedsMore"], index)
    assert needs.missing == ["billing_account", "region"] and not needs.complete
