"""The deploy files in deploy/ are valid and say what the operations notes promise."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
SITE = (DEPLOY / "nginx" / "driverhome.conf").read_text()


def test_nginx_site_never_serves_private_documents_and_compresses_feeds():
    assert "location /private/ { return 404; }" in SITE
    assert "/private" not in SITE.replace("location /private/ { return 404; }", "")
    for kind in ("application/json", "application/geo+json", "text/calendar"):
        assert kind in SITE
    assert "ssl_certificate " in SITE and "return 301 https://" in SITE
    # The app is reached through the unix socket only.
    assert "unix:/run/driverhome/gunicorn.sock" in SITE


def test_gunicorn_listens_only_on_the_socket_nginx_owns():
    socket_unit = (DEPLOY / "systemd" / "driverhome.socket").read_text()
    service = (DEPLOY / "systemd" / "driverhome.service").read_text()
    assert "ListenStream=/run/driverhome/gunicorn.sock" in socket_unit
    assert "SocketMode=0600" in socket_unit
    assert "--bind" not in service


@pytest.mark.parametrize("job", ["escalate_overdue", "purge_help_requests", "backup_portal"])
def test_every_job_has_a_timer_and_a_cron_line(job):
    services = " ".join(p.read_text() for p in (DEPLOY / "systemd").glob("*.service"))
    assert f"manage.py {job}" in services
    assert f"manage.py {job}" in (DEPLOY / "cron" / "driverhome").read_text()


def test_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=test"],
        check=True,
        capture_output=True,
    )
    site = SITE.replace("/etc/ssl/driverhome/fullchain.pem", str(cert)).replace(
        "/etc/ssl/driverhome/privkey.pem", str(key)
    )
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; {temp} "
        f"include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
