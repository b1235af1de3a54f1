from pathlib import Path

from httpx import ASGITransport, AsyncClient

from brigade.app import create_app
from brigade.infra.migrate import head_revision
from brigade.infra.settings import Settings

SECRET = "health-test-secret-key-long-enough-for-hs256-0000000"


async def test_healthz(client: AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json() == {"status": "ok"}  # no null fields


async def test_readyz_reports_current_migration(client: AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["database"] == "ok"
    assert body["migration"] == body["expected_migration"] is not None


async def _readyz(tmp_path: Path, database: Path) -> tuple[int, dict[str, str], dict[str, object]]:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{database}", secret_key=SECRET
    )
    app = create_app(settings)
    try:
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            response = await client.get("/readyz")
    finally:
        await app.state.runtime.db.dispose()
    return response.status_code, dict(response.headers), response.json()


async def test_readyz_unreachable_database_is_problem_json(tmp_path: Path) -> None:
    status, headers, body = await _readyz(tmp_path, tmp_path / "missing" / "brigade.db")
    assert status == 503
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["retry-after"]) > 0
    assert body["type"] == "https://brigade.dev/problems/service-unavailable"
    assert body["status"] == 503
    assert body["reason"] == "database-unreachable"
    assert body["database"] == "unreachable"
    assert body["expected_migration"] == head_revision()
    assert None not in body.values()


async def test_readyz_unmigrated_database_is_problem_json(tmp_path: Path) -> None:
    status, headers, body = await _readyz(tmp_path, tmp_path / "empty.db")
    assert status == 503
    assert headers["content-type"] == "application/problem+json"
    assert "retry-after" in headers
    assert body["type"] == "https://brigade.dev/problems/service-unavailable"
    assert body["reason"] == "migration-mismatch"
    assert body["database"] == "ok"
    assert body["expected_migration"] == head_revision()
    assert "migration" not in body  # never migrated: left out, not null
    assert "brigade migrate" in str(body["detail"])


async def test_unknown_route_is_problem_json(client: AsyncClient) -> None:
    response = await client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/not-found")


async def test_openapi_and_docs(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert schema["info"]["title"] == "Brigade"
    readyz = schema["paths"]["/readyz"]["get"]["responses"]["503"]
    assert "application/problem+json" in readyz["content"]
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
