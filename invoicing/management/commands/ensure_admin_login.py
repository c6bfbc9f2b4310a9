import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

DEFAULT_USERNAME = "admin"
LOGIN_FILE_NAME = ".admin-login"


def read_login_file(path: Path) -> tuple[str, str] | None:
    """``(username, password)`` from a login file this command wrote, or None."""
    try:
        values = dict(line.split(": ", 1) for line in path.read_text(encoding="utf-8").splitlines() if ": " in line)
    except OSError:
        return None
    if "username" not in values or "password" not in values:
        return None
    return values["username"], values["password"]


def write_login_file(path: Path, username: str, password: str) -> None:
    """Only the owner may read it: it holds a superuser's password in clear text."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(
            "# Written by manage.py ensure_admin_login; delete it once you have changed the password.\n"
            f"username: {username}\npassword: {password}\n"
        )
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to a file that already existed


class Command(BaseCommand):
    help = (
        "Create the staff superuser if it does not exist yet: LEG_ADMIN_USER (default 'admin') with "
        "LEG_ADMIN_PASSWORD, or the password already in .admin-login, or a generated one saved there. "
        "Never changes an existing password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--login-file",
            type=Path,
            default=Path(settings.BASE_DIR) / LOGIN_FILE_NAME,
            help="Where a generated password is kept (default: .admin-login in the project, git-ignored).",
        )

    def handle(self, *args, login_file, **options):
        username = os.environ.get("LEG_ADMIN_USER") or DEFAULT_USERNAME
        password_from_env = os.environ.get("LEG_ADMIN_PASSWORD") or ""
        user_model = get_user_model()
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()

        if user is None:
            if password_from_env:
                password, where = password_from_env, "as you set it in LEG_ADMIN_PASSWORD"
                self._warn_if_weak(password, username)
            elif (saved := read_login_file(login_file)) and saved[0] == username:
                # Another database (DATABASE_URL switched) got this login first: the same password
                # keeps the file right for both, instead of overwriting the one the other needs.
                password, where = saved[1], f"from {login_file}"
            else:
                password = secrets.token_urlsafe(18)
                write_login_file(login_file, username, password)
                where = f"saved in {login_file}"
            user_model._default_manager.create_superuser(
                **{user_model.USERNAME_FIELD: username}, email="", password=password
            )
            self.stdout.write(self.style.SUCCESS(f"Created staff login {username!r}."))
            self.stdout.write(f"Login: {username} / {password}  ({where})")
            return

        if not (user.is_active and user.is_staff):
            self.stderr.write(
                self.style.WARNING(f"User {username!r} exists but cannot log in to the admin (inactive or not staff).")
            )
        saved = read_login_file(login_file)
        if saved and saved[0] == username and user.check_password(saved[1]):
            self.stdout.write(f"Login: {username} / {saved[1]}  (from {login_file})")
        else:
            self.stdout.write(f"Login: {username} / password as you set it (unchanged)")

    def _warn_if_weak(self, password: str, username: str) -> None:
        try:
            validate_password(password, user=get_user_model()(**{get_user_model().USERNAME_FIELD: username}))
        except ValidationError as error:
            self.stderr.write(self.style.WARNING("LEG_ADMIN_PASSWORD is weak: " + " ".join(error.messages)))
