"""shims.adapters, users family: legacy User documents ⇄ standard user models and payloads."""

import hashlib
import json
import re
from datetime import datetime

import pytest
from pydantic import BaseModel

from shims import adapters
from shims.adapters import (
    LegacyShapeError,
    create_user_payload,
    create_user_response_from_legacy,
    delete_response_from_legacy,
    generate_temporary_password,
    update_user_payload,
    user_from_legacy,
    username_from_email,
    users_list_from_legacy,
)
from shims.standard_api import InvalidRequestError, UserNotFoundError
from shims.standard_api.models import CreateUserRequest, UpdateUserRequest, UserInfo, UsersListResponse

# manual §5.3.5, verbatim
MANUAL_USERS_PAGE = json.loads("""
{
    "users": [
        {
            "id": 1,
            "username": "user001",
            "display_name": "홍길동",
            "email": "user1@seoul.ac.kr",
            "is_active": true,
            "created_at": "2026-01-15T10:00:00",
            "last_login": "2026-02-01T20:00:00",
            "monthly_cost_usd": 12.50
        }
    ],
    "total": 1,
    "page": 1,
    "limit": 20
}
""")

# plan §3.2, verbatim (the standard side)
PLAN_USERS_LIST = json.loads("""
{
  "tenant_id": "hallym_univ",
  "total": 1250,
  "limit": 20,
  "offset": 0,
  "users": [
    {
      "user_id": "user_123",
      "email": "admin@hallym.ac.kr",
      "name": "관리자",
      "role": "admin",
      "status": "active",
      "created_at": "2025-09-01T00:00:00Z",
      "last_login": "2026-01-30T09:00:00Z",
      "usage": {
        "sessions": 150,
        "messages": 2340,
        "tokens": 350000
      }
    }
  ]
}
""")

SECRET = "pbkdf2_sha256$600000$c2FsdA$aGFzaA=="

USER_CASES = [
    pytest.param(
        MANUAL_USERS_PAGE["users"][0],
        {"user_id": "1", "email": "user1@seoul.ac.kr", "name": "홍길동", "role": "user", "status": "active",
         "created_at": "2026-01-15T10:00:00", "last_login": "2026-02-01T20:00:00", "usage": None},
        id="manual-example-without-role-extra",
    ),
    pytest.param(
        {"id": 2, "username": "admin", "display_name": "관리자", "email": "admin@hallym.ac.kr", "is_active": True,
         "created_at": "2025-09-01T00:00:00", "last_login": "2026-01-30T09:00:00", "monthly_cost_usd": 0,
         "role": "admin",
         "stats": {"sessions": 150, "messages": 2340, "tokens": 350000}},
        {"user_id": "2", "email": "admin@hallym.ac.kr", "name": "관리자", "role": "admin", "status": "active",
         "created_at": "2025-09-01T00:00:00", "last_login": "2026-01-30T09:00:00",
         "usage": {"sessions": 150, "messages": 2340, "tokens": 350000}},
        id="admin-detail-view-with-stats",
    ),
    pytest.param(
        {"id": 3, "username": "park", "display_name": None, "email": None, "is_active": False,
         "created_at": "2026-03-01T08:30:00", "last_login": None, "monthly_cost_usd": 0.0, "role": "user"},
        {"user_id": "3", "email": "", "name": "park", "role": "user", "status": "suspended",
         "created_at": "2026-03-01T08:30:00", "last_login": None, "usage": None},
        id="suspended-null-email-login-and-name",
    ),
    pytest.param(
        {"id": 4, "username": "choi", "display_name": "", "email": "c@x.kr", "is_active": True,
         "created_at": "2026-03-01T08:30:00", "role": "superuser", "password_hash": SECRET,
         "hashed_password": SECRET, "password": "hunter22"},
        {"user_id": "4", "email": "c@x.kr", "name": "choi", "role": "user", "status": "active",
         "created_at": "2026-03-01T08:30:00", "last_login": None, "usage": None},
        id="unknown-role-and-password-fields",
    ),
    pytest.param(
        {"id": 5, "username": "jung", "email": "j@x.kr", "is_active": True, "created_at": "2026-03-01T08:30:00",
         "role": "Instructor"},
        {"user_id": "5", "email": "j@x.kr", "name": "jung", "role": "instructor", "status": "active",
         "created_at": "2026-03-01T08:30:00", "last_login": None, "usage": None},
        id="standard-role-spelled-differently",
    ),
]


@pytest.mark.parametrize(("legacy", "expected"), USER_CASES)
def test_user_from_legacy(legacy, expected):
    info = user_from_legacy(legacy)
    assert info.model_dump(mode="json") == expected
    dumped = json.dumps(info.model_dump(mode="json"))
    assert SECRET not in dumped and "hunter22" not in dumped and "password" not in dumped


def test_user_from_legacy_accepts_datetimes_and_models():
    """What legacy logic returns before serialisation (datetimes, a pydantic response model) converts the same."""

    class LegacyUserOut(BaseModel):
        id: int
        username: str
        display_name: str | None
        email: str | None
        is_active: bool
        created_at: datetime
        last_login: datetime | None
        monthly_cost_usd: float

    raw = {**MANUAL_USERS_PAGE["users"][0], "created_at": datetime(2026, 1, 15, 10), "last_login": None}
    expected = user_from_legacy({**MANUAL_USERS_PAGE["users"][0], "last_login": None})
    assert user_from_legacy(raw) == expected
    assert user_from_legacy(LegacyUserOut(**raw)) == expected


def test_users_list_from_manual_page_has_the_plan_structure():
    page = MANUAL_USERS_PAGE
    result = users_list_from_legacy("seoul", page["users"], page["total"], limit=20, offset=0)
    assert result.model_dump(mode="json") == {
        "tenant_id": "seoul", "total": 1, "limit": 20, "offset": 0,
        "users": [USER_CASES[0].values[1]],
    }
    plan = UsersListResponse.model_validate(PLAN_USERS_LIST).model_dump(mode="json")
    ours = users_list_from_legacy("t", [USER_CASES[1].values[0]], 1, 20, 0).model_dump(mode="json")
    assert set(ours) == set(plan)
    assert set(ours["users"][0]) == set(plan["users"][0])
    assert set(ours["users"][0]["usage"]) == set(plan["users"][0]["usage"])


def test_users_list_names_the_path_of_a_bad_user():
    users = [USER_CASES[0].values[0], {"id": 9, "username": "x", "is_active": "maybe", "created_at": "2026"}]
    with pytest.raises(LegacyShapeError) as err:
        users_list_from_legacy("t", users, 2, 20, 0)
    assert "users[1].is_active" in str(err.value)
    assert "maybe" not in str(err.value)  # input values are never echoed


def test_user_from_legacy_does_not_echo_values_of_a_bad_document():
    with pytest.raises(LegacyShapeError) as err:
        user_from_legacy({"id": 1, "username": "u", "is_active": True, "password_hash": SECRET, "created_at": None})
    assert "user.created_at" in str(err.value)
    assert SECRET not in str(err.value)


# --- create ----------------------------------------------------------------------------------------------------

def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


USERNAMES = [
    # the readable part: the local part, lower-cased, [a-z0-9_.] only; then "_" + a digest of the whole address
    ("newuser@hallym.ac.kr", "newuser"),
    ("Kim.Chul-Su+lab@snu.ac.kr", "kim.chul_su_lab"),
    ("홍길동@seoul.ac.kr", "user"),  # no [a-z0-9] left
    ("ab@x.kr", "ab"),
    ("a@x.kr", "a"),
    ("x" * 70 + "@x.kr", "x" * 37),  # cut so that the whole name fits the legacy 50
    ("odd\"name\"@x.kr", "odd_name"),
]


@pytest.mark.parametrize(("email", "readable"), USERNAMES)
def test_username_from_email(email, readable):
    username = username_from_email(email)
    assert username == f"{readable}_{_digest(email)}"
    assert re.fullmatch(r"[a-z0-9_.]{3,50}", username)


@pytest.mark.parametrize(
    "emails",
    [
        ("john@a.example", "john@b.example"),  # same local part, other domain
        ("john+1@x.kr", "john-1@x.kr", "john_1@x.kr", "john.1@x.kr"),  # local parts that sanitise alike
        ("x" * 60 + "a@x.kr", "x" * 60 + "b@x.kr"),  # differ only past the cut
    ],
)
def test_distinct_emails_never_share_a_username(emails):
    names = [username_from_email(e) for e in emails]
    assert len(set(names)) == len(names), names


def test_the_same_email_always_gives_the_same_username():
    assert username_from_email("John@A.example") == username_from_email(" john@a.example ")


def test_usernames_without_latin_letters_do_not_collide():
    assert username_from_email("홍길동@seoul.ac.kr") != username_from_email("김철수@seoul.ac.kr")
    assert username_from_email("홍길동@seoul.ac.kr") == username_from_email(" 홍길동@Seoul.ac.kr")


@pytest.mark.parametrize("bad", ["no-at-sign", "@x.kr", "user@", ""])
def test_username_from_invalid_email(bad):
    with pytest.raises(InvalidRequestError, match="email"):
        username_from_email(bad)


def test_create_user_payload_with_password():
    request = CreateUserRequest.model_validate(json.loads("""
    {
      "email": "newuser@hallym.ac.kr",
      "name": "신규 사용자",
      "role": "user",
      "password": "temp_password_123",
      "send_welcome_email": true
    }
    """))  # plan §3.2 request, verbatim
    payload, generated = create_user_payload(request)
    assert payload == {"username": f"newuser_{_digest('newuser@hallym.ac.kr')}", "password": "temp_password_123",
                       "display_name": "신규 사용자", "email": "newuser@hallym.ac.kr"}
    assert generated is False


@pytest.mark.parametrize("password", [None, ""])
def test_create_user_payload_generates_a_strong_temporary_password(password):
    request = CreateUserRequest(email="kim@x.kr", name="김", password=password)
    first, generated = create_user_payload(request)
    second, _ = create_user_payload(request)
    assert generated is True
    assert first["username"] == second["username"] == f"kim_{_digest('kim@x.kr')}"  # deterministic
    assert first["password"] != second["password"]  # random
    pw = first["password"]
    assert len(pw) >= 12
    assert re.search(r"[a-z]", pw) and re.search(r"[A-Z]", pw) and re.search(r"\d", pw)
    assert re.search(r"[^A-Za-z0-9]", pw)


def test_generated_passwords_are_distinct():
    assert len({generate_temporary_password() for _ in range(50)}) == 50


def test_create_user_response_from_legacy():
    legacy = {"id": 456, "username": "newuser", "display_name": "신규 사용자", "email": "newuser@hallym.ac.kr",
              "is_active": True, "created_at": "2026-01-30T10:30:00", "last_login": None, "monthly_cost_usd": 0,
              "role": "user", "password_hash": SECRET}
    response = create_user_response_from_legacy(legacy, temporary_password=True)
    assert response.model_dump(mode="json") == {
        "user_id": "456", "email": "newuser@hallym.ac.kr", "name": "신규 사용자", "role": "user",
        "status": "active", "created_at": "2026-01-30T10:30:00", "temporary_password": True,
    }


# --- update / delete -------------------------------------------------------------------------------------------

UPDATES = [
    ({"name": "새 이름"}, {"display_name": "새 이름"}),
    ({"role": "admin"}, {"role": "admin"}),
    ({"status": "suspended"}, {"is_active": False}),
    ({"status": "active"}, {"is_active": True}),
    ({"name": "N", "role": "user", "status": "active"}, {"display_name": "N", "role": "user", "is_active": True}),
    ({}, {}),
    ({"name": None, "role": "admin"}, {"role": "admin"}),
]


@pytest.mark.parametrize(("body", "payload"), UPDATES)
def test_update_user_payload(body, payload):
    assert update_user_payload(UpdateUserRequest.model_validate(body)) == payload


def test_update_user_pending_status_is_rejected():
    with pytest.raises(InvalidRequestError, match="status: 'pending'"):
        update_user_payload(UpdateUserRequest(status="pending"))


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ({"message": "User deleted", "user_id": 7}, {"success": True, "user_id": "7", "message": "User deleted"}),
        ({"message": "Admin removed", "user_id": "12"}, {"success": True, "user_id": "12",
                                                           "message": "Admin removed"}),
    ],
)
def test_delete_response_from_legacy(legacy, expected):
    assert delete_response_from_legacy(legacy).model_dump() == expected


def test_delete_response_missing_user_id():
    with pytest.raises(LegacyShapeError, match=r"legacy\.user_id"):
        delete_response_from_legacy({"message": "User deleted"})


def test_user_info_is_an_allow_list_model():
    assert set(UserInfo.model_fields) == {"user_id", "email", "name", "role", "status", "created_at", "last_login",
                                          "usage"}


@pytest.mark.parametrize("raw, expected", [("1", 1), ("42", 42), ("9223372036854775807", 9223372036854775807)])
def test_legacy_user_id_parses_decimal_ids(raw, expected):
    assert adapters.legacy_user_id(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "-1", "1.5", "١٢", "99999999999999999999", "user_1"])
def test_legacy_user_id_rejects_what_names_no_legacy_user(raw):
    with pytest.raises(UserNotFoundError):
        adapters.legacy_user_id(raw)


@pytest.mark.parametrize(("parts", "name"), [
    (("Ada", "Lovelace"), "Ada Lovelace"),
    (("Ada", None), "Ada"),
    ((None, "Lovelace"), "Lovelace"),
    ((" Ada ", ""), "Ada"),
    ((None, None), ""),
])
def test_full_name_joins_the_parts_that_are_there(parts, name):
    assert adapters.full_name(*parts) == name
