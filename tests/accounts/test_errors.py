"""Error pages (400, 403, 404, 500, CSRF failure) in the site's layout, in the user's language, with a way
back; the 500 page renders without a request."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation

from accounts import errors
from accounts.models import User
from tests.conftest import client_for
from wastegrid.urls import urlpatterns as site_urls


def _boom(request: object) -> HttpResponse:
    raise RuntimeError("boom")


def _denied(request: object) -> HttpResponse:
    raise PermissionDenied


def _suspicious(request: object) -> HttpResponse:
    raise SuspiciousOperation("bad")


urlpatterns = [
    path("test-500/", _boom),
    path("test-403/", _denied),
    path("test-400/", _suspicious),
    *site_urls,
]
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

ZH, EN = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}, {"HTTP_ACCEPT_LANGUAGE": "en"}
CASES = [
    ("/test-400/", 400, "请求无效", "Bad request"),
    ("/test-403/", 403, "无权访问", "Not allowed"),
    ("/no-such-page/", 404, "找不到页面", "Page not found"),
    ("/test-500/", 500, "服务器错误", "Server error"),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("url", "status", "zh", "en"), CASES)
def test_error_pages_use_the_layout_in_both_languages(url: str, status: int, zh: str, en: str) -> None:
    client = Client(raise_request_exception=False)
    for headers, title in ((ZH, zh), (EN, en)):
        response = client.get(url, **headers)  # type: ignore[arg-type]
        page = response.content.decode()
        assert response.status_code == status
        assert f"<h1>{title}</h1>" in page
        assert 'class="top"' in page  # the site's header
        assert ("首页" if headers is ZH else "Home page") in page  # the way back home
    assert '<html lang="en">' in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_error_page_links_back_only_to_this_site(personas: dict[str, User]) -> None:
    client = client_for(personas["community_secretary"])
    inside = client.get("/no-such-page/", HTTP_REFERER="http://testserver/grid/", **EN)  # type: ignore[arg-type]
    assert 'href="http://testserver/grid/"' in inside.content.decode()
    assert "secretary" in inside.content.decode()  # the layout knows who is logged in
    outside = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/x", **EN)  # type: ignore[arg-type]
    assert "evil.example" not in outside.content.decode()


@pytest.mark.django_db
def test_a_real_out_of_scope_page_answers_the_localised_404(personas: dict[str, User]) -> None:
    response = client_for(personas["outsider"]).get("/grid/n/NO-SUCH-NODE/")
    assert response.status_code == 404 and "找不到页面" in response.content.decode()


def test_the_500_page_renders_without_a_request_context() -> None:
    request = RequestFactory().get("/")
    with translation.override("en"):
        response = errors.server_error(request)
    assert response.status_code == 500 and b"Server error" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(("headers", "title"), [(ZH, "表单已失效"), (EN, "Form expired")])
def test_a_csrf_failure_is_explained_in_the_layout(headers: dict[str, str], title: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"}, **headers)  # type: ignore[arg-type]
    assert response.status_code == 403
    assert f"<h1>{title}</h1>" in response.content.decode()
