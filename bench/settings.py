"""Benchmark-only settings: the portal's, plus a bare view to compare pages against."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
