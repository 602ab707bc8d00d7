from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Bin-side duty")  # the site's name for it (桶边值守)

    def ready(self) -> None:
        # A recorder at a household's drop-off point may scan its QR though the household lies outside their
        # scope (grid.scan.resolve asks the apps that registered a reach; the grid imports no supervision).
        from grid.scan import HOUSEHOLD_REACH
        from supervision.reach import records_at_households_point

        if records_at_households_point not in HOUSEHOLD_REACH:
            HOUSEHOLD_REACH.append(records_at_households_point)
