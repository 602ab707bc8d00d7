"""Django's password validators (length ≥ 10, common, numeric, similar to the user) for every way a password
is set: the admin's add and change-password forms, createsuperuser (also non-interactive), and the demo."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from grid.services import demo
from tests.conftest import client_for

# The three, plus one more of each kind: short, common, all digits, like the username.
WEAK = ["12345678", "password", "11111111", "qwertyuiop", "20190701123456", "newclerk2026"]
STRONG = "sorting-grid-7Fq2"


@pytest.mark.parametrize("password", WEAK)
def test_the_validators_refuse_weak_passwords(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, User(username="newclerk"))


def test_a_long_uncommon_password_passes() -> None:
    validate_password(STRONG, User(username="newclerk"))


@pytest.fixture
def superuser(personas: dict[str, User]) -> User:
    user = personas["subdistrict_admin"]
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _add_user(superuser: User, password: str, **extra: object):  # type: ignore[no-untyped-def]
    form: dict[str, object] = {"username": "newclerk", "role": "volunteer", "node": superuser.node_id}
    form.update(usable_password="true", password1=password, password2=password, **extra)
    return client_for(superuser).post("/admin/accounts/user/add/", form)


@pytest.mark.django_db
@pytest.mark.parametrize("password", WEAK)
def test_admin_add_user_refuses_a_weak_password(superuser: User, password: str) -> None:
    response = _add_user(superuser, password)
    assert response.status_code == 200 and "password2" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="newclerk").exists()


@pytest.mark.django_db
def test_admin_add_user_accepts_a_strong_password(superuser: User) -> None:
    assert _add_user(superuser, STRONG).status_code == 302
    assert User.objects.get(username="newclerk").check_password(STRONG)


@pytest.mark.django_db
def test_admin_add_user_without_a_node_is_a_form_error_not_a_500(superuser: User) -> None:
    response = _add_user(superuser, STRONG, node="")
    assert response.status_code == 200 and "node" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="newclerk").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["12345678", "password", "secretary1"])
def test_admin_change_password_refuses_a_weak_password(
    superuser: User, personas: dict[str, User], password: str
) -> None:
    target = personas["community_secretary"]
    response = client_for(superuser).post(
        f"/admin/accounts/user/{target.pk}/password/", {"password1": password, "password2": password}
    )
    assert response.status_code == 200 and "password2" in response.context["form"].errors
    target.refresh_from_db()
    assert not target.check_password(password)


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["12345678", "11111111"])
def test_createsuperuser_noinput_refuses_a_weak_password(
    monkeypatch: pytest.MonkeyPatch, password: str
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    with pytest.raises(CommandError):
        call_command("createsuperuser", interactive=False, username="root", email="")
    assert not User.objects.filter(username="root").exists()


@pytest.mark.django_db
def test_createsuperuser_noinput_accepts_a_strong_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("createsuperuser", interactive=False, username="root", email="", verbosity=0)
    assert User.objects.get(username="root").check_password(STRONG)


@pytest.mark.parametrize("username", [username for _, username in demo.DEMO_LOGINS])
def test_the_demo_password_passes_for_every_demo_login(username: str) -> None:
    validate_password(demo.DEMO_PASSWORD, User(username=username))


@pytest.mark.django_db
def test_the_demo_refuses_a_weak_demo_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_PASSWORD", "12345678")
    with pytest.raises(ValidationError):
        demo.demo_generate(scale=0.01)


@pytest.mark.django_db
def test_changepassword_refuses_a_weak_password(
    personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "11111111")
    with pytest.raises(CommandError):
        call_command("changepassword", "secretary", stdout=io.StringIO())
    personas["community_secretary"].refresh_from_db()
    assert not personas["community_secretary"].check_password("11111111")
