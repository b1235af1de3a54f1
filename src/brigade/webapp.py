"""Serving the built web app (``web/dist``, made by ``make web``) at ``/``.

:func:`install_webapp` makes :class:`WebApp` the router's *default* handler: it runs only
for a request that no route and no mount matched, so API requests never reach it and
cost nothing more. For such a request:

- ``GET``/``HEAD`` of ``/assets/<file>`` (Vite's content-hashed files): the file with
  ``Cache-Control: public, max-age=31536000, immutable``;
- ``GET``/``HEAD`` of another file at the top of the build (``/favicon.svg``): the file,
  cached for an hour;
- any other ``GET``/``HEAD`` outside the server's own paths (``/api/``, ``/socket.io/``,
  ``/docs``, ``/redoc``, ``/openapi.json``, ``/healthz``, ``/readyz``, ``/assets/``):
  ``index.html`` with ``Cache-Control: no-cache`` — the single-page app's router shows
  the screen (``/r/1/floor``, ``/guest/1?t=…``);
- everything else (unknown ``/api/...`` paths, other methods, a missing asset): the
  usual problem+json 404.

Without a build (no ``index.html`` in the folder) the app's pages answer 503 with a short
HTML page saying to run ``make web`` (naming no path of the server's disk).

:class:`SecurityHeaders` (installed by :func:`install_webapp`, around the whole app: the
API, the menu's fast path, the probes, Socket.IO's polling and the web app) adds to every HTTP
response:

- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy:
  same-origin`` (a guest page's address holds the table token);
- ``Content-Security-Policy``: :data:`WEB_CSP` for the web app (``script-src 'self'``:
  the Vite build has no inline script; ``frame-ancestors 'none'``), :data:`API_CSP` for
  ``/api/`` (JSON: nothing to load), and :data:`DOCS_CSP` for ``/docs`` and ``/redoc``,
  whose pages (FastAPI's Swagger UI and ReDoc) load their scripts and styles from a CDN
  and start them with an inline script, which that policy allows on those pages only;
- ``Strict-Transport-Security`` when ``settings.public_url`` is ``https://``.
"""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import brigade
from brigade.infra.settings import Settings

#: Paths of the server itself: never answered with the web app's ``index.html``.
RESERVED_PREFIXES = (
    "/api",
    "/socket.io",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/healthz",
    "/readyz",
)
ASSETS_PREFIX = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
TOP_LEVEL_FILE_CACHE = "public, max-age=3600"
#: The web app's policy: its own scripts, styles, fonts and API only; images also from
#: ``data:`` and ``blob:`` (the QR sheet shows fetched codes as blob URLs); never framed.
WEB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: The API's policy: its answers are data, never documents that load anything.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
#: The policy of FastAPI's Swagger UI (``/docs``) and ReDoc (``/redoc``) pages: their
#: bundles and styles from jsDelivr, ReDoc's Google fonts and worker, images (logos,
#: favicon) from https, and the inline script that starts them.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' data: https://fonts.gstatic.com; img-src 'self' data: https:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
#: Paths whose pages get :data:`DOCS_CSP`.
DOCS_PREFIXES = ("/docs", "/redoc")
#: ``Strict-Transport-Security`` when the public URL is https: a year, this host only.
HSTS = "max-age=31536000"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Brigade: web app not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>The web app is not built</h1>
<p>Run <code>make web</code> (or <code>make run</code>) in the Brigade folder, then reload
this page; or point the setting <code>BRIGADE_WEB_DIR</code> at a built web app.</p>
<p>The API is running: see <a href="/docs">/docs</a>.</p>
</body></html>
"""


def default_web_dir() -> Path | None:
    """``web/dist`` of the source checkout this package runs from, if it is one.

    ``src/brigade/__init__.py`` → the repository root is two folders above ``brigade/``;
    it is a checkout when it holds ``pyproject.toml`` and ``web/``. None for an
    installed package (set ``BRIGADE_WEB_DIR`` then).
    """
    root = Path(brigade.__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "web").is_dir():
        return root / "web" / "dist"
    return None


def resolve_web_dir(settings: Settings) -> Path | None:
    """The folder of the built web app: ``settings.web_dir`` or :func:`default_web_dir`."""
    return settings.web_dir if settings.web_dir is not None else default_web_dir()


def is_reserved(path: str) -> bool:
    """Whether ``path`` belongs to the server (API, Socket.IO, docs, probes)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RESERVED_PREFIXES)


class WebApp:
    """ASGI app serving the build in ``directory`` (see the module documentation);
    ``fallback`` answers whatever it does not serve (the router's ``not_found``)."""

    def __init__(self, directory: Path | None, fallback: ASGIApp) -> None:
        self.directory = directory
        self.fallback = fallback
        self._files = (
            StaticFiles(directory=directory, check_dir=False) if directory is not None else None
        )

    @property
    def built(self) -> bool:
        """Whether the folder holds a build (an ``index.html``)."""
        return self.directory is not None and (self.directory / "index.html").is_file()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or is_reserved(path):
            await self.fallback(scope, receive, send)
            return
        response = self._respond(path, scope)
        if response is None:
            await self.fallback(scope, receive, send)
            return
        await response(scope, receive, send)

    def _respond(self, path: str, scope: Scope) -> Response | None:
        """The response for a GET/HEAD of ``path``; None for the fallback's 404."""
        if not self.built or self.directory is None or self._files is None:
            return HTMLResponse(
                NOT_BUILT_PAGE, status_code=503, headers={"Cache-Control": "no-store"}
            )
        relative = path.lstrip("/")
        if path.startswith(ASSETS_PREFIX):
            return self._file(relative, IMMUTABLE, scope)
        if relative and "/" not in relative and relative != "index.html":
            found = self._file(relative, TOP_LEVEL_FILE_CACHE, scope)
            if found is not None:
                return found
        return self._file("index.html", NO_CACHE, scope)

    def _file(self, relative: str, cache_control: str, scope: Scope) -> Response | None:
        """The file at ``relative`` in the build (resolved by Starlette's ``StaticFiles``,
        which refuses paths outside the folder and answers 304 to a matching
        ``If-None-Match``), or None when there is no such file."""
        assert self._files is not None  # noqa: S101 - only called with a build
        full_path, stat_result = self._files.lookup_path(relative)
        if stat_result is None or not stat.S_ISREG(stat_result.st_mode):
            return None
        response = self._files.file_response(full_path, stat_result, scope)
        response.headers["Cache-Control"] = cache_control
        return response


class SecurityHeaders:
    """ASGI middleware adding the security headers of the module documentation to every
    HTTP response of ``app`` (WebSocket and lifespan pass untouched); with ``hsts``,
    ``Strict-Transport-Security`` too. The header lists are built once; a response
    costs one list copy."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        common: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
        ]
        if hsts:
            common.append((b"strict-transport-security", HSTS.encode()))
        csp = b"content-security-policy"
        self._web = [*common, (csp, WEB_CSP.encode())]
        self._api = [*common, (csp, API_CSP.encode())]
        self._docs = [*common, (csp, DOCS_CSP.encode())]

    def headers_for(self, path: str) -> list[tuple[bytes, bytes]]:
        """The headers added to a response of ``path`` (raw, lower-case names)."""
        if path.startswith("/api/"):
            return self._api
        if any(path == p or path.startswith(p + "/") for p in DOCS_PREFIXES):
            return self._docs
        return self._web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_webapp(app: FastAPI, settings: Settings) -> WebApp:
    """Serve the web app of ``resolve_web_dir(settings)`` for requests no route matched,
    and add :class:`SecurityHeaders` around the whole app (HSTS when
    ``settings.public_url`` is https).

    Call it after every router, mount and other middleware is added. Returns the
    :class:`WebApp`.
    """
    webapp = WebApp(resolve_web_dir(settings), fallback=app.router.default)
    app.router.default = webapp
    app.add_middleware(SecurityHeaders, hsts=settings.public_url.lower().startswith("https://"))
    return webapp
