"""/api/v1/docs serves Swagger UI from the app's own static files: no outside host in the page."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from accounts.models import User
from tests.conftest import client_for


@pytest.mark.django_db
def test_the_docs_page_references_no_external_host(personas: dict[str, User]) -> None:
    response = client_for(personas["subdistrict_admin"]).get("/api/v1/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"""(?:src|href)=["'](?:https?:)?//""", page) == []
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert '"validatorUrl": null' in page  # no validator badge fetched from swagger.io
    # The files it names are there to serve (installed from npm, found by staticfiles).
    for name in (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/swagger-ui/swagger-ui.css",
        "api/swagger-init.js",
    ):
        assert finders.find(name), name
