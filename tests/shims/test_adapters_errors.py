"""shims.adapters.legacy_errors: legacy HTTPExceptions raised by moved logic → standard domain errors."""

import asyncio

import pytest
from fastapi import HTTPException
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shims.adapters import detail_text, legacy_errors
from shims.standard_api import (
    FeatureDisabledError,
    InvalidRequestError,
    NotImplementedOperationError,
    QuotaExceededError,
    TenantExistsError,
    TenantNotFoundError,
    UserExistsError,
    UserNotFoundError,
)

# (operation, context kwargs, legacy status, legacy detail) → (standard error, code, message)
TABLE = [
    ("get_user", {"user_id": "7"}, 404, "User not found", UserNotFoundError, "USER_NOT_FOUND", "User '7' not found"),
    ("get_user", {"user_id": "7"}, 404, "Tenant not found", TenantNotFoundError, "TENANT_NOT_FOUND",
     "Tenant 'acme_1' not found"),
    ("get_tenant_stats", {}, 404, "Not Found", TenantNotFoundError, "TENANT_NOT_FOUND", "Tenant 'acme_1' not found"),
    ("get_tenant_status", {}, 404, "테넌트 없음 (tenant missing)", TenantNotFoundError, "TENANT_NOT_FOUND",
     "Tenant 'acme_1' not found"),
    ("activate_tenant", {}, 409, "Tenant exists", TenantExistsError, "TENANT_EXISTS",
     "Tenant 'acme_1' already exists"),
    ("create_user", {"email": "kim@x.kr"}, 409, "Username already exists", UserExistsError, "USER_EXISTS",
     "A user with e-mail 'kim@x.kr' already exists"),
    ("create_user/admin", {}, 409, "Email already exists", UserExistsError, "USER_EXISTS",
     "A user with e-mail 'Email already exists' already exists"),
    ("update_user", {"user_id": "3"}, 400, "Cannot remove yourself", InvalidRequestError, "INVALID_REQUEST",
     "Cannot remove yourself"),
    ("create_user", {"email": "kim@x.kr"}, 400, "Password already used before", InvalidRequestError,
     "INVALID_REQUEST", "Password already used before"),
    ("get_tenant_stats", {}, 400, "Report already exists", InvalidRequestError, "INVALID_REQUEST",
     "Report already exists"),
    ("create_user", {}, 422, [{"type": "string_too_short", "loc": ["body", "password"],
                               "msg": "String should have at least 8 characters", "input": "hunter2"}],
     InvalidRequestError, "INVALID_REQUEST", "password: String should have at least 8 characters"),
    ("update_settings", {}, 403, "Feature 'custom_branding' is disabled", FeatureDisabledError, "FEATURE_DISABLED",
     "Feature 'custom_branding' is disabled for this tenant"),
    ("update_settings", {}, 403, "Branding locked", FeatureDisabledError, "FEATURE_DISABLED",
     "Feature 'Branding locked' is disabled for this tenant"),
    ("create_user", {}, 429, "Maximum users (500) reached", QuotaExceededError, "QUOTA_EXCEEDED",
     "Quota exceeded for Maximum users (500) reached (limit 500)"),
    ("create_user", {}, 429, "Too many users", QuotaExceededError, "QUOTA_EXCEEDED",
     "Quota exceeded for Too many users (limit 0)"),
    ("get_settings", {}, 400, {"success": False, "error": "X", "message": "bad"}, InvalidRequestError,
     "INVALID_REQUEST", "bad"),
]


@pytest.mark.parametrize(("operation", "context", "status", "detail", "error", "code", "message"), TABLE)
def test_translation_table(operation, context, status, detail, error, code, message):
    with pytest.raises(error) as caught:
        with legacy_errors(operation, tenant_id="acme_1", **context):
            raise HTTPException(status_code=status, detail=detail)
    assert type(caught.value) is error
    assert caught.value.code == code
    assert caught.value.status_code == status if status != 422 else caught.value.status_code == 400
    assert caught.value.message == message
    assert "hunter2" not in caught.value.message  # a 422 list never echoes rejected input
    assert isinstance(caught.value.__cause__, HTTPException)


@pytest.mark.parametrize("status", [401, 500, 502, 418])
def test_other_statuses_pass_through_untouched(status):
    original = HTTPException(status_code=status, detail="Invalid or missing token")
    with pytest.raises(HTTPException) as caught:
        with legacy_errors("get_user", tenant_id="t", user_id="1"):
            raise original
    assert caught.value is original


@pytest.mark.parametrize("exc", [UserNotFoundError("9"), NotImplementedOperationError("x"), ValueError("boom")])
def test_standard_errors_and_other_exceptions_pass_through(exc):
    with pytest.raises(type(exc)) as caught:
        with legacy_errors("get_user", tenant_id="t", user_id="1"):
            raise exc
    assert caught.value is exc


def test_starlette_http_exception_is_translated_too():
    with pytest.raises(UserNotFoundError):
        with legacy_errors("delete_user", tenant_id="t", user_id="5"):
            raise StarletteHTTPException(status_code=404, detail="User not found")


def test_no_exception_returns_the_block_value():
    with legacy_errors("get_user", tenant_id="t") as ctx:
        value = 42
    assert value == 42 and ctx.tenant_id == "t"


def test_usable_in_async_code_with_plain_with():
    async def legacy_get_user(user_id):
        await asyncio.sleep(0)
        raise HTTPException(status_code=404, detail="User not found")

    async def handler():
        with legacy_errors("get_user", tenant_id="acme_1", user_id="12"):
            return await legacy_get_user(12)

    with pytest.raises(UserNotFoundError, match="'12'"):
        asyncio.run(handler())


def test_pydantic_validation_of_a_legacy_body_becomes_invalid_request_without_values():
    class UserCreate(BaseModel):
        username: str = Field(min_length=3)
        password: str = Field(min_length=8)

    with pytest.raises(InvalidRequestError) as caught:
        with legacy_errors("create_user", tenant_id="t"):
            UserCreate(username="ab", password="short1")
    message = caught.value.message
    assert "body.username" in message and "body.password" in message
    assert "short1" not in message


@pytest.mark.parametrize(
    ("detail", "text"),
    [
        ("User not found", "User not found"),
        ({"message": "standard body"}, "standard body"),
        ([{"loc": ["query", "limit"], "msg": "too big", "input": 500}], "query.limit: too big"),
        ([{"loc": ["body"], "msg": "Field required"}], "Field required"),
        ({"weird": 1}, "Invalid request"),
        (None, "Invalid request"),
    ],
)
def test_detail_text(detail, text):
    assert detail_text(detail) == text


@pytest.mark.parametrize(("operation", "context", "detail", "message"), [
    ("create_user", {"email": "kim@x.kr"}, "The user with this email already exists in the system.",
     "A user with e-mail 'kim@x.kr' already exists"),
    ("create_user/admin", {}, "Username is already taken",
     "A user with e-mail 'Username is already taken' already exists"),
    ("update_user", {"user_id": "3"}, "Email already registered",
     "A user with e-mail 'Email already registered' already exists"),
])
def test_a_duplicate_user_answered_with_400_is_user_exists(operation, context, detail, message):
    # many services (a widely copied project template among them) answer a duplicate e-mail with 400, not 409
    with pytest.raises(UserExistsError) as caught:
        with legacy_errors(operation, tenant_id="acme_1", **context):
            raise HTTPException(status_code=400, detail=detail)
    assert (caught.value.status_code, caught.value.code, caught.value.message) == (409, "USER_EXISTS", message)


class _CodedError(Exception):
    """A domain error of a service answering `{code, msg, data}`: the HTTP status in `code`, the text in `msg`."""

    def __init__(self, code, msg: str) -> None:
        self.code, self.msg = code, msg
        super().__init__(msg)


class _StatusAndCode(Exception):
    status_code = 200  # the status wins over `code` whenever the exception names one
    code = 404


@pytest.mark.parametrize(("operation", "context", "code", "msg", "error"), [
    ("delete_user", {"user_id": "5"}, 404, "user does not exist", UserNotFoundError),
    ("create_user", {}, 409, "the user already exists", UserExistsError),
    ("update_user", {"user_id": "5"}, 400, "bad department", InvalidRequestError),
])
def test_a_domain_error_with_an_http_code_and_msg_is_translated(operation, context, code, msg, error):
    with pytest.raises(error) as caught:
        with legacy_errors(operation, tenant_id="t", **context):
            raise _CodedError(code, msg)
    assert caught.value.status_code == code


def test_a_domain_error_with_an_unknown_http_code_is_an_http_error_with_its_msg():
    with pytest.raises(StarletteHTTPException) as caught:
        with legacy_errors("get_user", tenant_id="t", user_id="5"):
            raise _CodedError(418, "teapot")
    assert (caught.value.status_code, caught.value.detail) == (418, "teapot")


@pytest.mark.parametrize("exc", [_CodedError("E404", "not an HTTP status"), _CodedError(10001, "business code"),
                                 _CodedError(True, "a flag"), _StatusAndCode()])
def test_a_code_that_is_no_http_status_passes_through(exc):
    with pytest.raises(type(exc)) as caught:
        with legacy_errors("get_user", tenant_id="t", user_id="5"):
            raise exc
    assert caught.value is exc
