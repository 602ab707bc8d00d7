"""Django's createsuperuser, but the non-interactive password is validated too.

With --noinput Django takes DJANGO_SUPERUSER_PASSWORD as it is; scripts are a way a password is set, so
the same AUTH_PASSWORD_VALIDATORS apply.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts.models import User


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options["interactive"] and password:
            field = User.USERNAME_FIELD
            username = options.get(field) or os.environ.get(f"DJANGO_SUPERUSER_{field.upper()}", "")
            try:
                validate_password(password, User(**{field: username}))
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        super().handle(*args, **options)
