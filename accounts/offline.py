"""The app-wide service worker and its offline page (issue 14).

A phone that loses the network while moving between pages sees the copy of a page it opened before, else
the app's offline page, never the browser's error. The worker (templates/accounts/sw.js, Workbox served by
the app) goes network first for every page; what it keeps belongs to one user:

- every HTML answer names its owner in `X-Offline-Owner` (a keyed hash of the user id; "" when logged out,
  `OfflineOwnerMiddleware`); the worker keeps pages in one cache and empties it whenever the owner changes
  (log out, or another user logs in), so one user's pages are never shown to another;
- for a field role the worker fetches `offline_pages` (wastegrid/offline_pages.py, GET /offline/pages.json:
  the recorder at each of the user's drop-off points and the visit forms) and stores them, so they open
  offline even if never visited;
- API answers, the admin, POSTs and anything answered `no-store` are never kept.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

OWNER_HEADER = "X-Offline-Owner"

# Static files every offline page needs, kept by the worker's precache (revision = content hash).
ASSETS = [
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "lib/offline.js",
    "lib/scan.js",
    "vendor/zxing/zxing-browser.min.js",
    "supervision/recorder.js",
    "party/visits.js",
    "vendor/idb-keyval/umd.js",  # the recorder's and the visits' queue (with lib/outbox.js)
]
# Every script in static/lib/ is shared by pages that work offline (the queue, the scanner): kept too.
OPTIONAL_DIRS = ["lib"]
WORKBOX = ["core", "routing", "strategies", "expiration", "precaching"]  # importScripts order: core first


def owner_key(user: Any) -> str:
    """The opaque owner of a user's pages: 20 hex digits, "" for an anonymous visitor."""
    if user is None or not user.is_authenticated:
        return ""
    return salted_hmac("wastegrid.offline-owner", str(user.pk)).hexdigest()[:20]


class OfflineOwnerMiddleware:
    """Adds `X-Offline-Owner` to every HTML answer to a GET (after auth: it reads request.user). Only those
    are ever kept by the worker; a POST's answer (a contest tap, contests.tickets) need not load the user."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        if request.method in ("GET", "HEAD") and response.get("Content-Type", "").startswith("text/html"):
            response[OWNER_HEADER] = owner_key(getattr(request, "user", None))
        return response


@lru_cache(maxsize=1)
def _precache() -> tuple[tuple[str, str], ...]:
    """(static URL, content hash) of ASSETS and of the optional scripts found, once per process."""
    names = list(ASSETS)
    for folder in OPTIONAL_DIRS:
        for finder in finders.get_finders():
            for path, _storage in finder.list([]):
                if path.startswith(folder + "/") and path.endswith(".js") and path not in names:
                    names.append(path)
    entries = []
    for name in names:
        found = finders.find(name)
        if isinstance(found, str):
            with open(found, "rb") as fh:
                entries.append((static(name), hashlib.sha256(fh.read()).hexdigest()[:16]))
    return tuple(entries)


@require_GET
def service_worker(request: HttpRequest, *, allowed: str = "/") -> HttpResponse:
    """/sw.js, the worker for the whole site (scope "/"); `allowed` serves the same worker under an older,
    narrower scope (supervision's /supervision/sw.js, registered by phones before this worker existed)."""
    precache = [{"url": url, "revision": rev} for url, rev in _precache()]
    offline_url = reverse("offline")
    # The offline page is one for everyone (no user in it); its revision follows the template and the texts.
    precache.append({"url": offline_url, "revision": _offline_revision()})
    config = {
        "precache": precache,
        "offline": offline_url,
        "pages": reverse("offline_pages"),
        "static": static(""),
        "never": ["/api/", "/admin/", reverse("accounts:logout"), "/sw.js", offline_url],
        "ownerHeader": OWNER_HEADER,
    }
    version = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]
    response = render(
        request,
        "accounts/sw.js",
        {
            "workbox": json.dumps([static(f"vendor/workbox/workbox-{m}.prod.js") for m in WORKBOX]),
            "config": json.dumps(config),
            "version": version,
        },
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = allowed
    response["Cache-Control"] = "no-cache"  # a new worker reaches phones at their next page load
    return response


def _offline_context() -> dict[str, Any]:
    texts = []
    for lang, code in (("zh-Hans", "zh-hans"), ("en", "en")):
        with translation.override(code):
            texts.append((lang, _offline_texts()))
    return {"texts": texts}


def _offline_revision() -> str:
    """The hash of the offline page as it would be served: a new template or translation is a new copy."""
    return hashlib.sha256(render_to_string("accounts/offline.html", _offline_context()).encode()).hexdigest()[
        :16
    ]


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """The offline page, in Chinese and in English at once (it is kept once, whatever the language then),
    with no user in it: the worker keeps one copy for everyone. static/lib/offline.js lists the pages this
    phone holds for its user from the worker's cache."""
    return render(request, "accounts/offline.html", _offline_context())


def _offline_texts() -> dict[str, str]:
    return {
        "brand": _("Waste sorting grid"),
        "title": _("You are offline"),
        "body": _(
            "This page is not on this phone. Pages you opened before and the pages kept for your work "
            "open without the network:"
        ),
        "none": _("No page is kept on this phone yet: open the app once with the network."),
        "unsent": _(
            "The form was not sent, nothing was saved: go back to it and send it again once the network is back."
        ),
        "retry": pgettext("offline", "Try again"),
    }
