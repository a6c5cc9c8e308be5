"""A route's `auth` lists credentials only: query parameters named `keyword`, `author`, `max_tokens` or `menu_key`
are search terms and identifiers, not keys (the whole name used to be searched for "key", "auth", "token"), while
`api_key`, `?key=`, `accessToken` and `X-Marketplace-Key` stay credentials."""

from __future__ import annotations

import pytest

from migrator.inventory import build_inventory
from migrator.inventory.deps import is_credential_name

MAIN = '''
from fastapi import FastAPI, Header, Query

app = FastAPI()


@app.get("/admin/users")
def list_users(keyword: str = Query(None), author: str = "", max_tokens: int = 0, menu_key: str = ""):
    return []


@app.get("/admin/dashboard")
def dashboard(api_key: str = Query(...), x_marketplace_key: str = Header(...)):
    return {}
'''


def test_search_terms_are_not_credentials_and_keys_are(make_repo):
    root = make_repo({"svc/__init__.py": "", "svc/main.py": MAIN})
    auth = {route.path: route.auth for route in build_inventory(root).routes}
    assert auth == {"/admin/users": [], "/admin/dashboard": ["query:api_key", "x-marketplace-key"]}


@pytest.mark.parametrize("name", ["keyword", "author", "max_tokens", "menu_key", "version_key", "sort_key", "keys"])
def test_not_a_credential(name):
    assert not is_credential_name(name)


@pytest.mark.parametrize("name", ["key", "api_key", "apiKey", "accessToken", "access_key", "client_secret", "token",
                                  "password", "apikey"])
def test_a_credential_query(name):
    assert is_credential_name(name)


@pytest.mark.parametrize("name", ["X-Marketplace-Key", "X-Auth-Token", "share-token", "X-Hub-Signature"])
def test_a_credential_header(name):
    assert is_credential_name(name, header=True)
    assert not is_credential_name("X-Author", header=True)
