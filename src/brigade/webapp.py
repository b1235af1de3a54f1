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

Its responses carry ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
same-origin`` (a guest page's address holds the table token).

Without a build (no ``index.html`` in the folder) the app's pages answer 503 with a short
HTML page saying to run ``make web``.
"""

from __future__ import annotations

import html
import stat
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

import brigade
from brigade.settings import Settings

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
#: On every web app response: no content sniffing, and no page address (a guest link's
#: table token) sent to other sites as a referrer.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Brigade: web app not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 10vh auto;
 padding: 0 1rem">
<h1>The web app is not built</h1>
<p>Run <code>make web</code> (or <code>make run</code>) in the Brigade folder, then reload
this page. Brigade looked for it in <code>{folder}</code>
(setting <code>BRIGADE_WEB_DIR</code>).</p>
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
            folder = html.escape(str(self.directory) if self.directory else "(none)")
            return HTMLResponse(
                NOT_BUILT_PAGE.format(folder=folder),
                status_code=503,
                headers={"Cache-Control": "no-store", **SECURITY_HEADERS},
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
        response.headers.update(SECURITY_HEADERS)
        return response


def install_webapp(app: FastAPI, settings: Settings) -> WebApp:
    """Serve the web app of ``resolve_web_dir(settings)`` for requests no route matched.

    Call it after every router and mount is added. Returns the :class:`WebApp`.
    """
    webapp = WebApp(resolve_web_dir(settings), fallback=app.router.default)
    app.router.default = webapp
    return webapp
