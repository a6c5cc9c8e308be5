"""What fills a legacy request-body field, by its (lower-cased) name: the one table `shims.adapters.requests` fills
legacy bodies by at run time and phase 1 checks statically (`migrator.movability`: a required legacy field nothing
fills keeps the route manual). A module of its own, free of FastAPI, so that the static check imports nothing else.
"""

from __future__ import annotations

FIELDS: dict[str, str] = {
    **dict.fromkeys(("email", "mail", "email_address", "e_mail"), "email"),
    **dict.fromkeys(("name", "full_name", "fullname", "display_name", "displayname", "nickname"), "name"),
    **dict.fromkeys(("username", "user_name", "login", "handle"), "username"),
    **dict.fromkeys(("password", "password1", "raw_password", "initial_password"), "password"),
    **dict.fromkeys(("role", "user_role", "role_name", "type", "user_type"), "role"),
    **dict.fromkeys(("is_admin", "admin", "is_superuser", "superuser", "is_staff"), "admin_flag"),
    **dict.fromkeys(("is_active", "active", "enabled"), "active_flag"),
    **dict.fromkeys(("status", "state", "user_status"), "status"),
}
