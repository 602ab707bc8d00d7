"""The back office's "add user" page: the node is picked by name within the admin's scope, an empty node is
one message, the page reads in Chinese; django-q2's queue is the operator's only."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.conftest import Grid, client_for


def _zh(user: User) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.fixture
def admin_user(personas: dict[str, User]) -> User:
    user = personas["subdistrict_admin"]
    user.is_staff = user.is_superuser = True  # a superuser bound to the sub-district, as in the demo
    user.save()
    return user


@pytest.mark.django_db
def test_the_node_is_picked_by_name_not_typed_as_an_id(admin_user: User, grid: Grid) -> None:
    html = _zh(admin_user).get("/admin/accounts/user/add/").content.decode()
    node = re.search(r'<select name="node"[^>]*>', html)
    assert node is not None and "admin-autocomplete" in node.group(0)
    assert 'class="vForeignKeyRawIdAdminField"' not in html
    found = _zh(admin_user).get(
        "/admin/autocomplete/",
        {"term": "甲", "app_label": "accounts", "model_name": "user", "field_name": "node"},
    )
    names = [r["text"] for r in json.loads(found.content)["results"]]
    assert grid.c1.name in names
    assert grid.c1.pk not in names and str(grid.c1.pk) not in names


@pytest.mark.django_db
def test_the_picker_offers_only_the_admins_scope(personas: dict[str, User], grid: Grid) -> None:
    lead = personas["area_lead"]
    lead.is_staff = lead.is_superuser = True
    lead.save()
    found = _zh(lead).get(
        "/admin/autocomplete/",
        {"term": "", "app_label": "accounts", "model_name": "user", "field_name": "node"},
    )
    names = {r["text"] for r in json.loads(found.content)["results"]}
    assert grid.c1.name in names and grid.sd.name not in names


@pytest.mark.django_db
def test_an_empty_node_is_one_message_and_the_page_reads_in_chinese(admin_user: User) -> None:
    form = {"username": "newclerk", "role": "volunteer", "node": "", "usable_password": "false"}
    response = _zh(admin_user).post("/admin/accounts/user/add/", form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["node"] == ["请选择该用户所在的网格节点。"]
    html = response.content.decode()
    assert "这个字段是必填项" not in html and html.count("请选择该用户所在的网格节点") == 1
    assert "<title>错误：" in html and "Error:" not in html
    assert "创建用户后，即可编辑更多用户选项。" in html and "After you" not in html


@pytest.mark.django_db
def test_the_job_queue_is_the_operators_not_a_subdistrict_admins(
    admin_user: User, django_user_model: type[User]
) -> None:
    home = _zh(admin_user).get("/admin/").content.decode()
    assert "/admin/django_q/" not in home
    assert _zh(admin_user).get("/admin/django_q/failure/").status_code == 403
    operator = django_user_model.objects.create_superuser("operator", "op@example.org", "x" * 20)
    home = _zh(operator).get("/admin/").content.decode()
    queue = [home.index(f"/admin/django_q/{m}/") for m in ("ormq", "schedule", "failure", "success")]
    assert queue == sorted(queue)  # in the order a job goes through them
    assert _zh(operator).get("/admin/django_q/failure/").status_code == 200
