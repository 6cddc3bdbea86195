"""`flask users create-admin`: the first admin account, from the command line."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from app.auth import services
from app.auth.password_policy import password_problems
from app.core.roles import Role
from app.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Akun pengguna.")


@users_cli.command("create-admin")
@click.option("--email", prompt="Email", help="Email admin.")
@click.option("--name", "full_name", prompt="Nama lengkap", help="Nama lengkap admin.")
@click.password_option("--password", help="Kata sandi (ditanyakan bila tidak diberikan).")
def create_admin(email: str, full_name: str, password: str) -> None:
    """Create an admin account (or give an existing account the admin role)."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(f"email tidak valid: {exc}", param_hint="--email") from exc
    problems = password_problems(password, email=email, full_name=full_name)
    if problems:
        raise click.BadParameter(" ".join(problems), param_hint="--password")
    user = services.find_user_by_email(email)
    try:
        if user is None:
            user = services.create_staff(email=email, full_name=full_name, roles=[Role.ADMIN], password=password)
            action = "dibuat"
        else:
            services.set_roles(user, user.role_set | {Role.ADMIN}, user.coordinator_province_code, by=None)
            action = "diberi peran admin"
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(f"Admin {user.email} {action}.")
