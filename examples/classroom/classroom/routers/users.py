"""A school's members: students, teachers and the school's admins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from classroom.db import SessionDep
from classroom.enums import Role, UserStatus
from classroom.repositories import UserRepository
from classroom.schemas import Deleted, Page, UserCreate, UserDetail, UserOut, UserPatch
from classroom.tenancy import Tenant, TenantRouter

router = TenantRouter(prefix="/v1/users", tags=["users"])


@dataclass
class Paging:
    page: int = Query(1, ge=1)
    size: int = Query(20, ge=1, le=100)


PagingDep = Annotated[Paging, Depends()]


@router.get("", response_model=Page[UserOut])
def list_users(
    tenant: Tenant,
    session: SessionDep,
    paging: PagingDep,
    role: Role | None = None,
    status: UserStatus | None = None,
    q: str | None = Query(None, max_length=100, description="part of the name or e-mail"),
) -> Page:
    return UserRepository(session, tenant.tenant_id).page(page=paging.page, size=paging.size, role=role,
                                                          status=status, q=q)


@router.post("", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, tenant: Tenant, session: SessionDep):
    return UserRepository(session, tenant.tenant_id).create(body, seats=tenant.seats)


@router.get("/{user_id}", response_model=UserDetail)
def get_user(user_id: int, tenant: Tenant, session: SessionDep) -> UserDetail:
    return UserRepository(session, tenant.tenant_id).detail(user_id)


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: int, body: UserPatch, tenant: Tenant, session: SessionDep):
    return UserRepository(session, tenant.tenant_id).patch(user_id, body)


@router.delete("/{user_id}", response_model=Deleted)
def delete_user(user_id: int, tenant: Tenant, session: SessionDep) -> Deleted:
    UserRepository(session, tenant.tenant_id).delete(user_id)
    return Deleted(id=user_id)
