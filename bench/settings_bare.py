"""wastegrid's settings plus one bare Django JSON view, so the API can be compared with it in the same
server under the same load."""

from wastegrid.settings import *  # noqa: F403  (bench only: the real settings, unchanged)

ROOT_URLCONF = "bench.urls_bare"
DEBUG = False
