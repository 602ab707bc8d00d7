"""The app serves its own favicon and app icons (no 404 in every page's console), named by every page."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from PIL import Image


@pytest.mark.django_db
def test_every_page_names_icons_the_app_serves(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()  # base.html, as every page
    for rel in ('rel="icon"', 'rel="apple-touch-icon"', 'rel="manifest"'):
        assert rel in page
    icon = client.get("/favicon.ico", follow=True)  # what browsers ask for whatever the page says
    assert icon.status_code == 200
    ico = Image.open(io.BytesIO(b"".join(icon.streaming_content)))  # type: ignore[attr-defined]
    assert ico.format == "ICO" and (32, 32) in ico.info["sizes"]
    manifest = client.get("/static/icons/site.webmanifest")
    assert manifest.status_code == 200
    data = json.loads(b"".join(manifest.streaming_content))  # type: ignore[attr-defined]
    assert data["start_url"] == "/" and data["lang"] == "zh-Hans"
    for entry in data["icons"]:
        served = client.get(f"/static/icons/{entry['src']}")
        assert served.status_code == 200, entry["src"]
        image = Image.open(io.BytesIO(b"".join(served.streaming_content)))  # type: ignore[attr-defined]
        assert f"{image.width}x{image.height}" == entry["sizes"] and image.format == "PNG"
