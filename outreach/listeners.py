"""Signals -> email and audit log. Connected once per app in create_app."""
from flask import current_app, render_template

from . import signals
from .services import mail, passes
from .timeutil import to_local


def send_templated(to: str, subject: str, template: str, attachments=None, **context):
    """Render templates/email/<template>.txt (and .html if present) and send it."""
    settings = mail.MailSettings.from_config(current_app.config)
    text = render_template(f"email/{template}.txt", **context)
    try:
        html = render_template(f"email/{template}.html", **context)
    except Exception:  # the HTML part is optional
        html = None
    mail.send(settings, mail.build_message(settings, to, subject, text, html, attachments))


def connect(app):
    # Receivers are module-level functions connected weakly by blinker; keep
    # them referenced here so they live as long as the app.
    app.extensions["outreach_listeners"] = _RECEIVERS
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver)


def _on_password_reset(sender, user, url, **extra):
    send_templated(user.email, "Reset your Outreach password", "password_reset", user=user, url=url)


def _on_signup_confirmation(sender, user, url, **extra):
    send_templated(user.email, "Confirm your email to finish signing up to Outreach", "confirm_email",
                   user=user, url=url)


def _on_signup_address_taken(sender, user, **extra):
    send_templated(user.email, "You already have an Outreach account", "account_exists", user=user)


def _on_member_invited(sender, invitation, url, **extra):
    send_templated(invitation.email, f"Join {invitation.organisation.name} on Outreach", "invitation",
                   invitation=invitation, url=url)


def _family_emails(young_person) -> list[str]:
    """Everyone who should hear about a young person's bookings: guardians and their own login."""
    emails = [link.guardian.email for link in young_person.guardian_links]
    if young_person.user is not None:
        emails.append(young_person.user.email)
    return list(dict.fromkeys(emails))


def _booking_context(registration):
    session = registration.session
    programme = registration.programme or session.programme
    sessions = [session] if session else [s for s in programme.sessions if s.status == "scheduled"]
    return {"registration": registration, "young_person": registration.young_person, "programme": programme,
            "sessions": sessions, "tz": programme.organisation.timezone,
            "family_url": current_app.config["BASE_URL"] + "/family"}


def _pass_attachment(young_person):
    live = passes.live_pass(young_person)
    if live is None:
        return None, None
    url = passes.pass_url(current_app.config["BASE_URL"], live.secret)
    png = passes.qr_png(url)
    name = f"pass-{(young_person.first_name or 'young-person').lower()}.png"
    return url, mail.Attachment(name, png, "image", "png")


def _on_booking_confirmed(sender, registration, **extra):
    context = _booking_context(registration)
    url, attachment = _pass_attachment(registration.young_person)
    for email in _family_emails(registration.young_person):
        send_templated(email, f"Booked: {context['programme'].title}", "booking_confirmed",
                       attachments=[attachment] if attachment else None, pass_url=url, **context)


def _on_booking_promoted(sender, registration, **extra):
    context = _booking_context(registration)
    url, attachment = _pass_attachment(registration.young_person)
    for email in _family_emails(registration.young_person):
        send_templated(email, f"A place came up: {context['programme'].title}", "booking_promoted",
                       attachments=[attachment] if attachment else None, pass_url=url, **context)


def _on_session_cancelled(sender, session, registrations, **extra):
    programme = session.programme
    for reg in registrations:
        for email in _family_emails(reg.young_person):
            send_templated(email, f"Cancelled: {programme.title} on {to_local(session.starts_at, programme.organisation.timezone):%-d %b}", "session_cancelled",
                           session=session, programme=programme, young_person=reg.young_person,
                           tz=programme.organisation.timezone)


def send_reminder(session, young_person_id):
    from .extensions import db
    from .models import YoungPerson

    young_person = db.session.get(YoungPerson, young_person_id)
    programme = session.programme
    for email in _family_emails(young_person):
        send_templated(email, f"Tomorrow: {programme.title}", "reminder", session=session, programme=programme,
                       young_person=young_person, tz=programme.organisation.timezone,
                       family_url=current_app.config["BASE_URL"] + "/family")


def _on_organisation_decided(sender, organisation, **extra):
    # The organisation's leads (the applicant at first); the contact address if it has none.
    leads = [m.user.email for m in organisation.memberships if m.role == "lead"]
    subject = ("Approved: {} can publish on Outreach" if organisation.status == "approved"
               else "Your Outreach application for {}").format(organisation.name)
    for to in leads or [organisation.contact_email]:
        send_templated(to, subject, "organisation_decided", organisation=organisation,
                       dashboard_url=f"{current_app.config['BASE_URL']}/org/{organisation.slug}/")


_RECEIVERS = [
    (signals.organisation_decided, _on_organisation_decided),
    (signals.booking_confirmed, _on_booking_confirmed),
    (signals.booking_promoted, _on_booking_promoted),
    (signals.session_cancelled, _on_session_cancelled),
    (signals.password_reset_requested, _on_password_reset),
    (signals.signup_confirmation_requested, _on_signup_confirmation),
    (signals.signup_address_taken, _on_signup_address_taken),
    (signals.member_invited, _on_member_invited),
]
