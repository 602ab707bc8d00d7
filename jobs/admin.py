from typing import Any

import django_q.admin  # noqa: F401  (registers django-q2's admin first, whatever the app order)
from django.contrib import admin
from django_q.models import Failure, OrmQ, Schedule, Success

from audit.admin import AuditedAdmin
from jobs.models import Attempt, HolidayYear


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    # Read only: a record of what the workers did (django-q2's own admin has the queue and the results).
    list_display = ["func", "starts", "outcome", "created_at", "updated_at"]
    list_filter = ["outcome", "func"]
    readonly_fields = ["key", "func", "starts", "outcome", "error", "created_at", "updated_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(HolidayYear)
class HolidayYearAdmin(AuditedAdmin):
    # Deleting a year (audited) lets the monthly job copy it again, e.g. after the State Council amends it.
    list_display = ["year", "days", "loaded_at"]
    readonly_fields = ["year", "days", "loaded_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False


# django-q2's queue (queued, scheduled, failed and successful tasks) is one for the whole deployment, every
# sub-district's jobs and their arguments together: the operator's (a superuser bound to no node), not a
# sub-district admin's, who sees their own jobs' outcomes where they started them (an import's, a report's
# status). Its models are listed in the order a job goes through them.
QUEUE_ORDER = [OrmQ, Schedule, Failure, Success]


def _operator(request: Any) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser and getattr(user, "node_id", None) is None)


def _operators_only(base: type[Any]) -> type[Any]:
    class OperatorsOnly(base):  # type: ignore[valid-type,misc]  # django-q2's own admin class
        def has_module_permission(self, request: Any) -> bool:
            return _operator(request)

        def has_view_permission(self, request: Any, obj: Any = None) -> bool:
            return _operator(request)

        def has_change_permission(self, request: Any, obj: Any = None) -> bool:
            return _operator(request) and super().has_change_permission(request, obj)

        def has_add_permission(self, request: Any) -> bool:
            return _operator(request) and super().has_add_permission(request)

        def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
            return _operator(request) and super().has_delete_permission(request, obj)

    OperatorsOnly.__name__ = base.__name__
    return OperatorsOnly


for _model in QUEUE_ORDER:
    if admin.site.is_registered(_model):
        _base = type(admin.site._registry[_model])
        admin.site.unregister(_model)
        admin.site.register(_model, _operators_only(_base))

_app_list = admin.site.get_app_list


def _get_app_list(request: Any, app_label: str | None = None) -> list[Any]:
    apps = _app_list(request, app_label)
    rank = {m._meta.object_name: i for i, m in enumerate(QUEUE_ORDER)}
    for app in apps:
        if app["app_label"] == "django_q":
            app["models"].sort(key=lambda m: rank.get(m["object_name"], len(rank)))
    return apps


admin.site.get_app_list = _get_app_list  # type: ignore[method-assign]
