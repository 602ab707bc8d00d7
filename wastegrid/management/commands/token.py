from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from wastegrid.tokens import token_create


class Command(BaseCommand):
    help = "Device tokens: `wastegrid token create --user NAME` prints a new bearer token (and nothing else)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="", help="what the device is (phone, smart bin …)")

    def handle(self, *args: Any, action: str, user: str, name: str = "", **options: Any) -> None:
        account = User.objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"no active user {user!r}")
        self.stdout.write(token_create(user=account, name=name))
