"""The site's routes read from the URL conf, and URLs built by route name from an object's lookup value.

A route names its lookup by its parameter (`<str:code>`, `<int:pk>`, `<uuid:public_id>` …): `url_for` fills
each parameter from the object's attribute of that name, so a test keeps working when a route switches from
`<int:pk>` to `<str:code>` (issue 15) as long as the object has that attribute."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # the whole route, e.g. "cases/c/<str:code>/"
    params: tuple[str, ...]  # its parameters in order


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            route = prefix + str(p.pattern)
            yield Route(namespace + p.name, route, tuple(p.pattern.converters))


def site_routes() -> list[Route]:
    """Every named route of the site's own apps (the back office and the ninja API aside)."""
    return [
        r
        for r in _walk(get_resolver().url_patterns)
        if not r.pattern.startswith(("admin/", "api/")) and r.name != "set_language"
    ]


def route(name: str) -> Route:
    for r in site_routes():
        if r.name == name:
            return r
    raise LookupError(f"no route named {name!r}")


def url_for(name: str, obj: Any = None, **extra: Any) -> str:
    """reverse(name) with each of the route's parameters taken from `extra`, else from `obj` ("pk" → obj.pk,
    "code" → obj.code, "public_id" → obj.public_id …)."""
    kwargs = {}
    for param in route(name).params:
        if param in extra:
            kwargs[param] = extra[param]
        elif obj is not None and hasattr(obj, param):
            kwargs[param] = getattr(obj, param)
        else:
            raise LookupError(f"{name}: no value for <{param}> (object {obj!r})")
    return reverse(name, kwargs=kwargs)
