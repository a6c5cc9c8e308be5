"""A school's courses."""

from __future__ import annotations

from fastapi import Query

from classroom.db import SessionDep
from classroom.repositories import CourseRepository
from classroom.routers.users import PagingDep
from classroom.schemas import CourseOut, Page
from classroom.tenancy import Tenant, TenantRouter

router = TenantRouter(prefix="/v1/courses", tags=["courses"])


@router.get("", response_model=Page[CourseOut])
def list_courses(tenant: Tenant, session: SessionDep, paging: PagingDep,
                 q: str | None = Query(None, max_length=100)) -> Page:
    return CourseRepository(session, tenant.tenant_id).page(page=paging.page, size=paging.size, q=q)
