from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TonnageConfig(AppConfig):
    name = "tonnage"
    verbose_name = _("Tonnage")
