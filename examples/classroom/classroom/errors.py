"""Domain errors and how they reach the wire: `{"error": {"code": ..., "message": ...}}`.

Repositories and dependencies raise these; no route builds an HTTPException. Validation errors keep FastAPI's
422 body, written with ASCII escapes so that a rejected lone surrogate cannot turn it into a 500.
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class ClassroomError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthorized(ClassroomError):
    status_code, code = 401, "unauthorized"


class Forbidden(ClassroomError):
    status_code, code = 403, "forbidden"


class TenantInactive(Forbidden):
    code = "tenant_inactive"

    def __init__(self, tenant_id: int) -> None:
        super().__init__(f"Tenant {tenant_id} is deactivated")


class SeatLimitReached(Forbidden):
    code = "seat_limit_reached"

    def __init__(self, seats: int) -> None:
        super().__init__(f"All {seats} seats of this school are taken")


class NotFound(ClassroomError):
    status_code, code = 404, "not_found"


class TenantNotFound(NotFound):
    code = "tenant_not_found"

    def __init__(self, tenant_id: int) -> None:
        super().__init__(f"Tenant {tenant_id} not found")


class UserNotFound(NotFound):
    code = "user_not_found"

    def __init__(self, user_id: int) -> None:
        super().__init__(f"User {user_id} not found")


class Conflict(ClassroomError):
    status_code, code = 409, "conflict"


class UserExists(Conflict):
    code = "user_exists"

    def __init__(self, email: str) -> None:
        super().__init__(f"{email} is already registered in this school")


class TenantExists(Conflict):
    code = "tenant_exists"

    def __init__(self, slug: str) -> None:
        super().__init__(f"Slug '{slug}' is taken")


class TenantState(Conflict):
    code = "tenant_state"


async def _domain_error(request: Request, exc: ClassroomError) -> JSONResponse:
    return JSONResponse(status_code=exc.status_code, content={"error": {"code": exc.code, "message": exc.message}})


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    body = json.dumps({"detail": jsonable_encoder(exc.errors())}, ensure_ascii=True, separators=(",", ":"))
    return Response(content=body, status_code=422, media_type="application/json")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ClassroomError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
