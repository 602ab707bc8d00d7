"""Login throttling (django-axes): a username from one address is locked after 10 failures, with a zh/en
message on the login page, until the cool-off ends or an administrator unlocks it."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from tests.conftest import PASSWORD, client_for

LOGIN = "/accounts/login/"


def _log_in(client: Client, username: str, password: str, ip: str = "10.0.0.1", lang: str = "zh-hans"):  # type: ignore[no-untyped-def]
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=lang
    )


def _fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        _log_in(client, username, "wrong-password", ip)


@pytest.mark.django_db
def test_thirty_failures_then_the_right_password_is_refused_with_the_message(
    personas: dict[str, User],
) -> None:
    client = Client()
    first = _log_in(client, "secretary", "wrong-password")
    assert first.status_code == 200 and "用户名或密码错误" in first.content.decode()
    _fail(client, "secretary", 29)
    response = _log_in(client, "secretary", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多，已锁定 30 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session
    english = _log_in(client, "secretary", PASSWORD, lang="en")
    assert "it is locked for 30 minutes" in english.content.decode()


@pytest.mark.django_db
def test_nine_failures_do_not_lock_and_a_success_clears_them(personas: dict[str, User]) -> None:
    client = Client()
    _fail(client, "secretary", 9)
    assert _log_in(client, "secretary", PASSWORD).status_code == 302
    # The count started again: nine more failures still leave the account usable.
    _fail(Client(), "secretary", 9)
    assert _log_in(Client(), "secretary", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_is_per_username_and_address(personas: dict[str, User]) -> None:
    _fail(Client(), "secretary", 10)
    assert _log_in(Client(), "secretary", PASSWORD).status_code == 429
    # Another address, or another user from the same address, is not locked out by this.
    assert _log_in(Client(), "secretary", PASSWORD, ip="10.0.0.2").status_code == 302
    assert _log_in(Client(), "arealead", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(personas: dict[str, User]) -> None:
    admin = personas["subdistrict_admin"]
    admin.is_staff = True
    admin.save()
    client = Client()
    for _ in range(10):
        client.post("/admin/login/", {"username": "admin", "password": "nope"}, REMOTE_ADDR="10.0.0.9")
    response = client.post(
        "/admin/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_administrator_unlocks_in_the_admin(personas: dict[str, User]) -> None:
    _fail(Client(), "secretary", 30)
    assert _log_in(Client(), "secretary", PASSWORD).status_code == 429
    superuser = personas["subdistrict_admin"]
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    attempt = AccessAttempt.objects.get(username="secretary")
    response = client_for(superuser).post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    unlock = AuditEntry.objects.get(model="axes.AccessAttempt")
    assert unlock.action == "delete" and unlock.actor == superuser
    assert _log_in(Client(), "secretary", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_axes_reset_username_unlocks_from_the_command_line(personas: dict[str, User]) -> None:
    _fail(Client(), "secretary", 10)
    assert _log_in(Client(), "secretary", PASSWORD).status_code == 429
    call_command("axes_reset_username", "secretary")
    assert _log_in(Client(), "secretary", PASSWORD).status_code == 302
