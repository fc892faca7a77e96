"""The browsable OpenAPI page at /api/v1/docs works on a studio machine off the internet: everything it loads
is served by the studio itself, nothing comes from a CDN."""

from __future__ import annotations

import re
import sys

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from greenlight.api.app import create_app  # noqa: E402
from greenlight.runtime.studio import Studio  # noqa: E402


def test_the_api_docs_page_loads_only_what_the_studio_serves(tmp_path, monkeypatch):
    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
    client = TestClient(create_app(Studio.create(tmp_path / "studio").home))
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert not re.findall(r"https?://", page.text), "the page names another host"
    loaded = re.findall(r"""(?:href|src)=["']([^"']+)["']|url:\s*'([^']+)'""", page.text)
    paths = {a or b for a, b in loaded}
    assert {"/api/v1/docs/static/swagger-ui-bundle.js", "/api/v1/docs/static/swagger-ui.css",
            "/api/v1/openapi.json"} <= paths
    for path in paths:
        assert client.get(path).status_code == 200, path
    assert client.get("/api/v1/openapi.json").json()["paths"]


def test_a_venv_without_the_docs_files_still_serves_and_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
    monkeypatch.setitem(sys.modules, "fastapi_offline", None)  # as in a .venv made before the extra named it
    client = TestClient(create_app(Studio.create(tmp_path / "studio").home))
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "fastapi-offline" in page.text and "/api/v1/openapi.json" in page.text
    assert client.get("/api/v1/openapi.json").status_code == 200
