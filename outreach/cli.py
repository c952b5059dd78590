"""Thin click commands over services: `flask --app wsgi <command>`."""
import sys
import time

import click
from flask.cli import with_appcontext

from .errors import DomainError
from .services import admin_accounts, demo
from .services.passwords import hash_password
from .timeutil import utcnow


def register_commands(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_reminders)
    app.cli.add_command(send_outbox)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(purge_expired)


@click.command("create-admin")
@click.argument("email")
@click.option("--name", "full_name", help="Full name for a new account (default: the part before the @).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input instead of prompting.")
@with_appcontext
def create_admin(email, full_name, password_stdin):
    """Create a platform admin, or make an existing account one."""
    try:
        existing = admin_accounts.find_user(email)
        password = None
        if existing is None:
            password = _read_password(password_stdin)
        user, outcome = admin_accounts.create_or_promote_admin(email, password, full_name=full_name)
    except DomainError as err:
        raise click.ClickException(err.message) from None

    if outcome == admin_accounts.CREATED:
        click.echo(f"Created platform admin {user.email}. They can sign in now.")
    elif outcome == admin_accounts.PROMOTED:
        click.echo(f"{user.email} already had an account: it is now a platform admin (password unchanged).")
    else:
        click.echo(f"{user.email} is already a platform admin; nothing changed.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    admin_accounts.check_password(password)
    return password


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Empty every table first, then seed. Destroys all data.")
@click.option("--if-empty", is_flag=True, help="Seed only on an empty database; otherwise do nothing.")
@click.option("--seed", "rng_seed", type=int, default=demo.DEFAULT_SEED, show_default=True,
              help="Random seed: the same seed on the same day gives the same data.")
@with_appcontext
def seed_demo(force, if_empty, rng_seed):
    """Fill the database with a demo term: partners, programmes, 300 young people, attendance."""
    if if_empty and not force and not demo.database_is_empty():
        click.echo("The database already has data; not adding demo data.")
        return
    started = time.monotonic()
    try:
        summary = demo.seed_demo(utcnow(), rng_seed=rng_seed, password_hash=hash_password(demo.DEMO_PASSWORD),
                                 force=force)
    except DomainError as err:
        raise click.ClickException(f"{err.message} Use --force to wipe it and seed anyway.") from None
    took = time.monotonic() - started

    click.echo(f"Demo data ready in {took:.1f} s: {summary['approved_organisations']} approved partners "
               f"and {summary['pending_organisations']} waiting for approval, {summary['programmes']} programmes, "
               f"{summary['sessions']} sessions ({summary['past_sessions']} already held), "
               f"{summary['young_people']} young people, {summary['registrations']} registrations, "
               f"{summary['attendances']} check-ins, {summary['feedback_responses']} survey responses.")
    click.echo("")
    click.echo(f"Demo logins, all with the password {summary['password']}:")
    width = max(len(email) for _, email, _ in summary["logins"])
    for _, email, what in summary["logins"]:
        click.echo(f"  {email:<{width}}  {what}")


@click.command("send-reminders")
@with_appcontext
def send_reminders():
    """Queue tomorrow's sessions' reminders for the booked. Safe to run as often as cron likes.

    The worker runs this hourly; the outbox worker (or `send-outbox`) sends the emails.
    """
    from .listeners import send_reminder
    from .services import reminders

    count = reminders.send_due_reminders(send_reminder)
    click.echo(f"Queued {count} reminder{'s' if count != 1 else ''}.")


@click.command("send-outbox")
@with_appcontext
def send_outbox():
    """Send the outgoing messages that are due now (what the worker does every minute).

    For cron users who run no worker, and for looking at a mail problem by hand.
    """
    from .listeners import deliver_waiting
    from .services import outbox

    report = deliver_waiting()
    click.echo(f"Sent {report.sent}; to try again later {report.retrying}; failed for good {report.failed}; "
               f"nothing to send {report.dropped}.")
    if report.unreachable:
        click.echo("The mail server could not be reached, so the rest wait for the next run.")
    counts = outbox.status_counts()
    if counts.get("failed"):
        click.echo(f"{counts['failed']} message(s) failed for good: see /admin/messages to send them again.")


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Copy the database to PATH (default: instance/backups/outreach-<UTC time>.sqlite3 or .dump).

    Safe while the app is running: SQLite is copied with its online backup API,
    PostgreSQL with pg_dump.
    """
    import os

    from flask import current_app

    from .extensions import db
    from .services import backup

    try:
        # The engine's URL, not the setting: Flask-SQLAlchemy resolves a relative SQLite path.
        url = db.engine.url
        path = path or backup.default_backup_path(os.path.join(current_app.instance_path, "backups"), url, utcnow())
        summary = backup.backup_database(url, path)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo("\n".join(summary.lines()))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Really replace the database with the backup.")
@with_appcontext
def restore_command(path, yes):
    """Replace the whole database with the backup at PATH (made by `flask backup`)."""
    from .extensions import db
    from .services import backup

    try:
        url = db.engine.url
        plan = backup.plan_restore(url, path)
        if not yes:
            raise click.ClickException(f"{plan.describe()} Nothing was changed; add --yes to restore.")
        # This process's own session and pooled connections would hold locks the restore waits for,
        # and must not keep serving rows from before it.
        db.session.remove()
        db.engine.dispose()
        summary = backup.restore_database(url, path)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo("\n".join(summary.lines()))
    click.echo("If the backup is from an older release, run `flask --app wsgi db upgrade` next.")


@click.command("purge-expired")
@click.option("--dry-run", is_flag=True, help="Say what would be removed, change nothing.")
@with_appcontext
def purge_expired(dry_run):
    """Apply the retention schedule, class by class (services/retention.py): medical notes,
    anonymising, outgoing messages, form tokens, safeguarding concerns (reported, never removed),
    incidents. The worker runs it nightly."""
    from flask import current_app

    from .services import retention

    schedule = retention.Schedule.from_config(current_app.config)
    report = retention.purge_expired(schedule, now=utcnow(), dry_run=dry_run)
    for result in report.classes:
        click.echo(result.line)
    click.echo(f"Safeguarding concerns kept: {report.concerns_kept} (the purge never removes one).")
    click.echo(f"Attendance rows kept for the evaluation: {report.attendances_kept}.")
