"""Make sure a local administrator exists, with a password nobody has published."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

PASSWORD_FILE = settings.BASE_DIR / "var" / "admin-password.txt"


class Command(BaseCommand):
    help = "Create the local 'admin' superuser with a random password when no superuser exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                f"An administrator exists. Sign in at http://127.0.0.1:8000/admin/ "
                f"(password for '{username}' in {PASSWORD_FILE} if this command made it; "
                f"change it with: .venv/bin/python manage.py changepassword {username})."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        PASSWORD_FILE.write_text(password + "\n", encoding="utf-8")
        PASSWORD_FILE.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created administrator '{username}' with password {password} "
                f"(also saved in {PASSWORD_FILE}). Sign in at http://127.0.0.1:8000/admin/"
            )
        )
