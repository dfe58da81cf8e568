"""portal.lib.net: the client address, with and without trusted proxies."""

import pytest

from portal.lib.net import client_ip


def test_without_proxies_only_remote_addr_counts(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        # A client that forges the header only adds entries on the left.
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (1, " 198.51.100.1 ,", "198.51.100.1"),
        # Fewer entries than trusted proxies: the header is not to be believed.
        (2, "198.51.100.1", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_behind_proxies_the_nth_entry_from_the_right_counts(
    rf, settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_missing_remote_addr_gives_an_empty_string(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) == ""
