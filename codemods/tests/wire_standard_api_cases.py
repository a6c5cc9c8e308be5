"""Before/after pairs for the wire_standard_api codemod (imports in the order `ruff check --select I` expects)."""

WIRING = '''
# Standard API v2: one handler serves /mt and the Service Market aliases; the legacy routes call the same
# service functions. Only /mt/ needs X-Market-API-Key; legacy routes keep their own auth.
app.include_router(create_standard_router(market_handler))
app.include_router(create_service_market_router(market_handler))
app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))
'''

SHIMS = '''from shims.compat.service_market import create_service_market_router
from shims.middleware.market_auth import MarketAuthMiddleware
from shims.standard_api import create_standard_router
'''

CASES = [
    {
        "name": "after the last include_router; routes declared later stay where they are",
        "app": "app",
        "factory": None,
        "before": '''
"""The service."""
from fastapi import FastAPI

from svc.routers import users

app = FastAPI(title="svc")
app.include_router(users.router, prefix="/admin")


@app.get("/health")
async def health():
    return {"status": "healthy"}
''',
        "after": '''
"""The service."""
from fastapi import FastAPI
''' + SHIMS + '''
from svc.handlers.market_handler import market_handler
from svc.routers import users

app = FastAPI(title="svc")
app.include_router(users.router, prefix="/admin")
''' + WIRING + '''

@app.get("/health")
async def health():
    return {"status": "healthy"}
''',
    },
    {
        "name": "an app without routers: right after it is created",
        "app": "api",
        "factory": None,
        "before": '''
import fastapi

api = fastapi.FastAPI()
''',
        "after": '''
import fastapi
''' + SHIMS + '''
from svc.handlers.market_handler import market_handler

api = fastapi.FastAPI()
''' + WIRING.replace("app.", "api."),
    },
    {
        "name": "an app factory: inside the function, before its return",
        "app": "app",
        "factory": "create_app",
        "before": '''
from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app
''',
        "after": '''
from fastapi import FastAPI
''' + SHIMS + '''
from svc.handlers.market_handler import market_handler


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    # Standard API v2: one handler serves /mt and the Service Market aliases; the legacy routes call the same
    # service functions. Only /mt/ needs X-Market-API-Key; legacy routes keep their own auth.
    app.include_router(create_standard_router(market_handler))
    app.include_router(create_service_market_router(market_handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))
    return app
''',
    },
    {
        "name": "an app factory including routers in a loop: the wiring still goes last, before the return",
        "app": "app",
        "factory": "create_app",
        "before": '''
from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(health)
    for router in (users, stats):
        app.include_router(router)
    return app
''',
        "after": '''
from fastapi import FastAPI
''' + SHIMS + '''
from svc.handlers.market_handler import market_handler


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(health)
    for router in (users, stats):
        app.include_router(router)
    # Standard API v2: one handler serves /mt and the Service Market aliases; the legacy routes call the same
    # service functions. Only /mt/ needs X-Market-API-Key; legacy routes keep their own auth.
    app.include_router(create_standard_router(market_handler))
    app.include_router(create_service_market_router(market_handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))
    return app
''',
    },
    {
        "name": "a mount at the root answers every path after it: the wiring goes before it",
        "app": "app",
        "factory": None,
        "before": '''
from fastapi import FastAPI

app = FastAPI()
app.include_router(users.router)
app.mount("/admin/api", api_app)
app.mount(path="/", app=site_app)
app.add_middleware(Timing)
''',
        "after": '''
from fastapi import FastAPI
''' + SHIMS + '''
from svc.handlers.market_handler import market_handler

app = FastAPI()
app.include_router(users.router)
app.mount("/admin/api", api_app)
''' + WIRING + '''app.mount(path="/", app=site_app)
app.add_middleware(Timing)
''',
    },
    {
        "name": "an app factory mounting a frontend at the root: before the mount, not before the return",
        "app": "app",
        "factory": "create_app",
        "before": '''
from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(users)
    app.mount("/", StaticFiles(directory="dist", html=True))
    return app
''',
        "after": '''
from fastapi import FastAPI
''' + SHIMS + '''
from svc.handlers.market_handler import market_handler


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(users)
    # Standard API v2: one handler serves /mt and the Service Market aliases; the legacy routes call the same
    # service functions. Only /mt/ needs X-Market-API-Key; legacy routes keep their own auth.
    app.include_router(create_standard_router(market_handler))
    app.include_router(create_service_market_router(market_handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))
    app.mount("/", StaticFiles(directory="dist", html=True))
    return app
''',
    },
]

# The app module imports its routers after creating the app (they import it back): the handler, which imports the
# service's modules, is imported where the wiring runs, not at the top (a circular import there would break it).
CASES.append({
    "name": "an app module importing its routers after the app exists: the handler import goes with the wiring",
    "app": "app",
    "factory": None,
    "before": '''
"""The service."""
from fastapi import FastAPI

app = FastAPI()
scheduler = object()

from svc.routers import users  # noqa: E402

app.include_router(users.router)


@app.on_event("startup")
def on_startup():
    pass
''',
    "after": '''
"""The service."""
from fastapi import FastAPI
''' + SHIMS + '''
app = FastAPI()
scheduler = object()

from svc.routers import users  # noqa: E402

app.include_router(users.router)
''' + WIRING.replace("app.include_router(create_standard_router",
                     "from svc.handlers.market_handler import market_handler  # noqa: E402\n\n"
                     "app.include_router(create_standard_router", 1) + '''

@app.on_event("startup")
def on_startup():
    pass
''',
})
