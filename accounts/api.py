from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from accounts.models import User
from lib.apierrors import answers

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    node: str | None
    sees_personal_data: bool


@router.get("/me", response=answers(MeOut), summary="The logged-in user, their role and grid node")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert isinstance(user, User)
    return MeOut(
        username=user.username,
        role=user.role,
        node=user.node.code if user.node else None,
        sees_personal_data=user.sees_personal_data,
    )
