"""/admin/admins: list, create, and removal (never of oneself)."""

from __future__ import annotations

SEOUL = "seoul_national_university_101"
NEW_ADMIN = {
    "username": "new.admin", "password": "admin-pass-1", "display_name": "새관리자", "email": "new.admin@snu.ac.kr",
}


def _second_admin(scalar) -> int:
    return scalar("SELECT id FROM users WHERE role = 'admin' AND id != 1 ORDER BY id LIMIT 1")


def test_list_admins(client, admin_headers, tenant_db):
    response = client.get("/admin/admins", headers=admin_headers())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"admins", "total"}
    expected = [row[0] for row in tenant_db(SEOUL).execute("SELECT id FROM users WHERE role = 'admin' ORDER BY id")]
    assert [a["id"] for a in body["admins"]] == expected
    assert body["total"] == len(expected) == 3
    assert all(a["role"] == "admin" for a in body["admins"])
    assert "password" not in response.text


def test_create_admin(client, admin_headers):
    response = client.post("/admin/admins", json=NEW_ADMIN, headers=admin_headers())
    assert response.status_code == 200
    admin = response.json()
    assert admin["role"] == "admin" and admin["username"] == "new.admin" and admin["is_active"] is True
    listed = client.get("/admin/admins", headers=admin_headers()).json()
    assert listed["total"] == 4 and listed["admins"][-1]["id"] == admin["id"]
    assert client.post("/admin/admins", json=NEW_ADMIN, headers=admin_headers()).status_code == 409
    assert client.post("/admin/admins", json={"username": "x"}, headers=admin_headers()).status_code == 422


def test_remove_another_admin_demotes_them(client, admin_headers, scalar):
    other = _second_admin(scalar)
    response = client.delete(f"/admin/admins/{other}", headers=admin_headers())
    assert response.status_code == 200
    assert response.json() == {"message": "Admin removed", "user_id": other}
    user = client.get(f"/admin/users/{other}", headers=admin_headers()).json()
    assert user["role"] == "user"  # the account stays
    listed = client.get("/admin/admins", headers=admin_headers()).json()
    assert listed["total"] == 2 and other not in [a["id"] for a in listed["admins"]]


def test_an_admin_cannot_remove_themselves(client, admin_headers, creds):
    me = creds[SEOUL]["admin_user_id"]
    response = client.delete(f"/admin/admins/{me}", headers=admin_headers())
    assert response.status_code == 400
    assert response.json() == {"detail": "You cannot remove your own admin rights"}
    assert client.get(f"/admin/users/{me}", headers=admin_headers()).json()["role"] == "admin"


def test_remove_admin_errors(client, admin_headers, scalar):
    plain_user = scalar("SELECT MIN(id) FROM users WHERE role = 'user'")
    not_admin = client.delete(f"/admin/admins/{plain_user}", headers=admin_headers())
    assert not_admin.status_code == 400 and not_admin.json() == {"detail": "User is not an admin"}
    missing = client.delete("/admin/admins/99999", headers=admin_headers())
    assert missing.status_code == 404 and missing.json() == {"detail": "User not found"}
    assert client.delete("/admin/admins/abc", headers=admin_headers()).status_code == 422


def test_the_token_of_a_removed_admin_stops_working(client, admin_headers, scalar):
    from advisor.tenant_manager import issue_admin_token

    other = _second_admin(scalar)
    token = issue_admin_token(SEOUL, other)
    theirs = {"Authorization": f"Bearer {token}", "X-Tenant-ID": SEOUL}
    assert client.get("/admin/admins", headers=theirs).status_code == 200
    # the second admin cannot remove themselves either; once the first admin removes them, their token is worthless
    assert client.delete(f"/admin/admins/{other}", headers=theirs).status_code == 400
    assert client.delete(f"/admin/admins/{other}", headers=admin_headers()).status_code == 200
    rejected = client.get("/admin/admins", headers=theirs)
    assert rejected.status_code == 401 and rejected.json() == {"detail": "Invalid or missing token"}
