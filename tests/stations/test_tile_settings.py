"""Map tile settings: review number in the attribution, CSP follows the host, bad CRS refused."""

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = (
    "from django.conf import settings as s; "
    "t = s.LEAFLET_CONFIG['TILES'][0][2]; "
    "print(t['attribution']); print(t.get('subdomains')); print(t.get('key')); "
    "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])); print(s.MAP_TILES_CRS)"
)


def run(**env):
    environment = {**os.environ, "SECRET_KEY": "k" * 50, "DEBUG": "0", **env}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + SCRIPT],
        cwd=settings.BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_gcj02_provider_settings_reach_leaflet_and_the_csp():
    result = run(
        MAP_TILES_URL="https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&key={key}",
        MAP_TILES_SUBDOMAINS="1234",
        MAP_TILES_KEY="browser-key",
        MAP_TILES_ATTRIBUTION="© 高德地图",
        MAP_TILES_REVIEW_NUMBER="审图号：GS(2024)0000号",
        MAP_TILES_CRS="GCJ02",
    )
    assert result.returncode == 0, result.stderr
    attribution, subdomains, key, img_src, crs = result.stdout.splitlines()
    assert attribution == "© 高德地图 · 审图号：GS(2024)0000号"
    assert subdomains == "1234"
    assert key == "browser-key"
    assert "https://*.is.autonavi.com" in img_src.split()
    assert crs == "gcj02"


def test_unknown_tile_crs_stops_start_up():
    result = run(MAP_TILES_CRS="bd09")
    assert result.returncode != 0
    assert "MAP_TILES_CRS" in result.stderr
