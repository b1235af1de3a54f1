"""The web app served at ``/`` (:mod:`brigade.webapp`) and the API contract it is built on.

Each app here serves a temporary folder holding a fake build (``index.html``,
``favicon.svg``, a hashed asset), so the tests need neither Node nor ``make web``.
The last tests check that the committed ``web/openapi.json`` is what the server
generates now (``make web-api`` regenerates it).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from typer.testing import CliRunner

import brigade.cli
from brigade.app import create_app
from brigade.infra.errors import PROBLEM_MEDIA_TYPE
from brigade.infra.settings import Settings
from brigade.webapp import IMMUTABLE, default_web_dir

ROOT = Path(__file__).resolve().parents[1]
INDEX = "<!doctype html><html><body><div id='root'></div>Brigade test build</body></html>"
ASSET = "index-Ab12Cd34.js"
ASSET_BODY = "console.log('brigade');"


def make_settings(tmp_path: Path, web_dir: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'data' / 'web.db'}",
        secret_key="test-secret-key-that-is-long-enough-for-hs256-000000",
        web_dir=web_dir,
    )


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A fake ``web/dist``."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (dist / "assets" / ASSET).write_text(ASSET_BODY)
    (tmp_path / "secret.txt").write_text("not for the web")
    return dist


async def _client(settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
async def web(tmp_path: Path, build: Path) -> AsyncIterator[AsyncClient]:
    """A client of an app serving the fake build."""
    async for client in _client(make_settings(tmp_path, build)):
        yield client


@pytest.fixture
async def unbuilt(tmp_path: Path) -> AsyncIterator[AsyncClient]:
    """A client of an app whose web folder has no build."""
    async for client in _client(make_settings(tmp_path, tmp_path / "missing-dist")):
        yield client


def assert_problem(response: object, status: int, slug: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE  # type: ignore[attr-defined]
    assert response.json()["type"] == f"https://brigade.dev/problems/{slug}"  # type: ignore[attr-defined]


class TestIndex:
    async def test_root_serves_index_without_caching(self, web: AsyncClient) -> None:
        response = await web.get("/")
        assert response.status_code == 200
        assert response.text == INDEX
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"

    async def test_guest_links_token_is_not_sent_as_referrer(self, web: AsyncClient) -> None:
        for path in ("/guest/1?t=abc.def", f"/assets/{ASSET}"):
            response = await web.get(path)
            assert response.headers["referrer-policy"] == "same-origin"
            assert response.headers["x-content-type-options"] == "nosniff"

    async def test_head_of_root_has_headers_and_no_body(self, web: AsyncClient) -> None:
        response = await web.head("/")
        assert response.status_code == 200
        assert response.content == b""
        assert response.headers["content-length"] == str(len(INDEX))

    @pytest.mark.parametrize(
        "path",
        [
            "/login",
            "/r/1/floor",
            "/r/1/orders/42",
            "/r/1/kitchen?station=grill",
            "/r/1/admin/tables",
            "/guest/1?t=abc.def",
            "/restaurants",
            "/some/unknown/page",
        ],
    )
    async def test_app_routes_fall_back_to_index(self, web: AsyncClient, path: str) -> None:
        response = await web.get(path)
        assert response.status_code == 200
        assert response.text == INDEX
        assert response.headers["cache-control"] == "no-cache"


class TestFiles:
    async def test_hashed_asset_is_cached_forever(self, web: AsyncClient) -> None:
        response = await web.get(f"/assets/{ASSET}")
        assert response.status_code == 200
        assert response.text == ASSET_BODY
        assert "javascript" in response.headers["content-type"]
        assert (
            response.headers["cache-control"]
            == IMMUTABLE
            == ("public, max-age=31536000, immutable")
        )

    async def test_asset_revalidation_answers_304(self, web: AsyncClient) -> None:
        first = await web.get(f"/assets/{ASSET}")
        again = await web.get(f"/assets/{ASSET}", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""

    async def test_missing_asset_is_a_404_not_the_index(self, web: AsyncClient) -> None:
        assert_problem(await web.get("/assets/index-gone.js"), 404, "not-found")

    async def test_top_level_file_is_served(self, web: AsyncClient) -> None:
        response = await web.get("/favicon.svg")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.headers["cache-control"] == "public, max-age=3600"

    async def test_no_file_outside_the_build(self, web: AsyncClient) -> None:
        response = await web.get("/assets/..%2F..%2Fsecret.txt")
        assert "not for the web" not in response.text
        assert_problem(response, 404, "not-found")


class TestServerPathsStayTheServers:
    async def test_unknown_api_path_is_problem_json_404(self, web: AsyncClient) -> None:
        assert_problem(await web.get("/api/v1/no-such-thing"), 404, "not-found")
        assert_problem(await web.get("/api"), 404, "not-found")
        assert_problem(await web.get("/api/v2/anything"), 404, "not-found")

    async def test_api_routes_still_answer(self, web: AsyncClient) -> None:
        assert_problem(await web.get("/api/v1/auth/me"), 401, "not-authenticated")
        # a method the route does not take is still a 405, not the web app
        response = await web.delete("/api/v1/auth/me")
        assert response.status_code == 405

    async def test_docs_openapi_and_probes(self, web: AsyncClient) -> None:
        assert (await web.get("/openapi.json")).json()["info"]["title"] == "Brigade"
        docs = await web.get("/docs")
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
        assert (await web.get("/healthz")).json()["status"] == "ok"
        assert_problem(await web.get("/docs/nothing-here"), 404, "not-found")

    async def test_socketio_path_is_never_the_index(self, web: AsyncClient) -> None:
        response = await web.get("/socket.io/?EIO=4&transport=polling")
        assert response.text != INDEX

    async def test_other_methods_on_app_paths_are_404(self, web: AsyncClient) -> None:
        assert_problem(await web.post("/r/1/floor"), 404, "not-found")


class TestWithoutBuild:
    async def test_pages_say_to_run_make_web(self, unbuilt: AsyncClient) -> None:
        for path in ("/", "/r/1/floor"):
            response = await unbuilt.get(path)
            assert response.status_code == 503
            assert response.headers["content-type"].startswith("text/html")
            assert "make web" in response.text

    async def test_the_page_names_no_server_path(
        self, unbuilt: AsyncClient, tmp_path: Path
    ) -> None:
        response = await unbuilt.get("/")
        assert "missing-dist" not in response.text
        assert str(tmp_path) not in response.text
        assert str(ROOT) not in response.text
        assert "BRIGADE_WEB_DIR" in response.text
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

    async def test_api_is_unaffected(self, unbuilt: AsyncClient) -> None:
        assert_problem(await unbuilt.get("/api/v1/nope"), 404, "not-found")
        assert (await unbuilt.get("/healthz")).status_code == 200


def csp(response: object) -> dict[str, list[str]]:
    """The Content-Security-Policy of ``response`` as directive -> sources."""
    value = response.headers["content-security-policy"]  # type: ignore[attr-defined]
    directives = (part.split() for part in value.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


class TestSecurityHeaders:
    async def test_web_app_pages_and_files(self, web: AsyncClient) -> None:
        for path in ("/", "/r/1/floor", f"/assets/{ASSET}", "/favicon.svg"):
            response = await web.get(path)
            assert response.status_code == 200, path
            policy = csp(response)
            assert policy["script-src"] == ["'self'"], path
            assert policy["frame-ancestors"] == ["'none'"]
            assert policy["object-src"] == ["'none'"]
            assert "'unsafe-inline'" not in response.headers["content-security-policy"]
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "same-origin"
            assert "strict-transport-security" not in response.headers
            assert len(response.headers.get_list("x-frame-options")) == 1

    async def test_api_answers_and_errors(self, web: AsyncClient) -> None:
        for response in (
            await web.get("/api/v1/auth/me"),  # 401 problem+json
            await web.get("/api/v1/no-such-thing"),  # 404
            await web.post("/api/v1/auth/login", json={}),  # 422
            await web.get("/api/v1/restaurants/1/menu"),  # the menu's ASGI fast path
        ):
            policy = csp(response)
            assert policy["default-src"] == ["'none'"]
            assert policy["frame-ancestors"] == ["'none'"]
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"
        probe = await web.get("/healthz")
        assert probe.headers["x-frame-options"] == "DENY"

    async def test_docs_keep_their_cdn_scripts_and_are_not_framed(self, web: AsyncClient) -> None:
        docs = await web.get("/docs")
        assert docs.status_code == 200
        policy = csp(docs)
        # Swagger UI's bundle comes from jsDelivr and is started by an inline script
        assert "https://cdn.jsdelivr.net" in policy["script-src"]
        assert "https://cdn.jsdelivr.net" in docs.text
        assert "'unsafe-inline'" in policy["script-src"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert docs.headers["x-frame-options"] == "DENY"
        redoc = await web.get("/redoc")
        assert "https://cdn.jsdelivr.net" in csp(redoc)["script-src"]
        assert "'unsafe-inline'" not in csp(await web.get("/"))["script-src"]

    async def test_hsts_only_when_the_public_url_is_https(
        self, tmp_path: Path, build: Path
    ) -> None:
        plain = make_settings(tmp_path, build)
        secure = plain.model_copy(update={"public_url": "https://pizza.example"})
        async for client in _client(secure):
            for path in ("/", "/api/v1/auth/me"):
                hsts = (await client.get(path)).headers["strict-transport-security"]
                assert hsts.startswith("max-age=")
                assert int(hsts.split("=")[1].split(";")[0]) >= 180 * 24 * 3600
        async for client in _client(plain):
            assert "strict-transport-security" not in (await client.get("/")).headers

    def test_the_built_app_needs_no_inline_script(self) -> None:
        """``script-src 'self'`` holds for the SPA: its HTML (and the build, when there
        is one) loads every script from a file."""
        pages = [ROOT / "web" / "index.html", ROOT / "web" / "dist" / "index.html"]
        for page in (p for p in pages if p.is_file()):
            text = page.read_text()
            scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, flags=re.S)
            assert scripts, page
            for attributes, body in scripts:
                assert "src=" in attributes, page
                assert not body.strip(), page
            assert not re.search(r"\son[a-z]+\s*=", text), page  # no inline handlers


def test_default_web_dir_is_the_checkouts_web_dist() -> None:
    assert default_web_dir() == ROOT / "web" / "dist"


def test_web_dir_setting_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BRIGADE_WEB_DIR", str(tmp_path))
    assert Settings().web_dir == tmp_path


class TestOpenApiContract:
    def test_committed_openapi_json_is_current(self) -> None:
        """web/openapi.json is what the server generates now (the web client's types
        are generated from it); when the API changes run ``make web-api`` and commit."""
        committed = (ROOT / "web" / "openapi.json").read_text()
        assert committed == brigade.cli.openapi_json(), "stale web/openapi.json: run make web-api"

    def test_openapi_json_is_stable_and_sorted(self) -> None:
        text = brigade.cli.openapi_json()
        assert text == brigade.cli.openapi_json()
        document = json.loads(text)
        assert list(document) == sorted(document)
        assert text.endswith("}\n")
        assert "/api/v1/auth/login" in document["paths"]

    def test_cli_prints_and_writes_it(self, tmp_path: Path) -> None:
        runner = CliRunner()
        printed = runner.invoke(brigade.cli.app, ["openapi"])
        assert printed.exit_code == 0, printed.output
        assert printed.stdout == brigade.cli.openapi_json()
        target = tmp_path / "out" / "openapi.json"
        written = runner.invoke(brigade.cli.app, ["openapi", "--output", str(target)])
        assert written.exit_code == 0, written.output
        assert target.read_text() == brigade.cli.openapi_json()
