from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = _("Grid")

    def ready(self) -> None:
        # The admin of accounts.User and of axes' log-in records is scoped by the grid, so the grid registers
        # it (grid/admin_accounts.py builds on grid/admin.py's scoped choices; accounts imports no grid).
        from grid import admin_accounts  # noqa: F401
