"""Signals -> outgoing email, and what the worker composes. Connected once per app in create_app.

Each email to a family, and each text, is written in its recipient account's language
(`i18n.in_language(user.language)`): two guardians of one child may read the same booking in Urdu and
in Polish. Staff emails (invitations, an organisation's decision, a safeguarding concern) stay English.

Receivers run inside the service's transaction (signals are sent before its commit): they
render the email and add it to the outbox in that transaction, and never wait on a mail
server. The worker (tasks.py) sends what is waiting through `deliver_waiting`.
"""
from flask import current_app, has_app_context, has_request_context, render_template
from flask_babel import gettext as _
from jinja2 import TemplateNotFound
from sqlalchemy import event

from . import i18n, signals
from .extensions import Session
from .filenames import name_slug
from .services import accounts, calendar, mail, outbox, passes, replies, sms, survey_timing
from .timeutil import to_local


def render_email(template: str, **context) -> tuple[str, str | None]:
    """templates/email/<template>.txt, and .html if there is one."""
    text = render_template(f"email/{template}.txt", **context)
    try:
        html = render_template(f"email/{template}.html", **context)
    except TemplateNotFound:  # the HTML part is optional
        html = None
    return text, html


def send_templated(to: str, subject: str, template: str, attachments=None, **context):
    """Render an email and queue it in the current transaction (the caller's commit sends it)."""
    text, html = render_email(template, **context)
    return outbox.queue_email(to, subject, text, kind=template, html=html, attachments=attachments)


@event.listens_for(Session, "after_commit")
def _wake_the_worker(session):
    """A commit that queued mail nudges the worker (tasks.py), so the mail goes in seconds."""
    if session.info.pop(outbox.QUEUED, False) and has_app_context() and current_app.config["OUTBOX_NUDGE"]:
        from . import tasks

        tasks.nudge()


@event.listens_for(Session, "after_rollback")
def _nothing_queued(session):
    session.info.pop(outbox.QUEUED, None)


def connect(app):
    # Receivers are module-level functions connected weakly by blinker; keep
    # them referenced here so they live as long as the app.
    app.extensions["outreach_listeners"] = _RECEIVERS
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver)
    if app.config["OUTBOX_NUDGE"]:
        # Opened now rather than by the first page that queues mail (it costs a few hundred ms).
        from . import tasks  # noqa: F401


# ------------------------------------------------------------------ accounts

def _on_password_reset(sender, email, now, **extra):
    # The same row for any address: the worker decides (_compose_password_reset).
    outbox.queue_to_compose("password_reset", email, {}, now=now)


def _on_sign_up_requested(sender, email, payload, now, **extra):
    # The account has no language yet: its email is written in the one the sign-up page was read in.
    if has_request_context():
        payload = dict(payload, language=i18n.current().code)
    outbox.queue_to_compose("sign_up", email, payload, now=now)


def _on_signup_confirmation(sender, user, url, **extra):
    with i18n.in_language(user.language):
        send_templated(user.email, _confirm_subject(), "confirm_email", user=user, url=url)


def _on_signup_address_taken(sender, user, **extra):
    with i18n.in_language(user.language):
        send_templated(user.email, _exists_subject(), "account_exists", user=user)


def _confirm_subject() -> str:
    return _("Confirm your email to finish signing up to Outreach")


def _exists_subject() -> str:
    return _("You already have an Outreach account")


def _composed(user, subject, template: str, *, language=None, **context) -> outbox.Composed:
    """Rendered in the account's language (else `language`); `subject` is called inside it."""
    with i18n.in_language(user.language or language):
        text, html = render_email(template, user=user, **context)
        return outbox.Composed(subject(), text, html)


def _compose_password_reset(message) -> outbox.Composed | None:
    user = accounts.account_for_reset(message.recipient)
    if user is None:
        return None  # no account: nothing is sent, and the page said the same either way
    url = f"{current_app.config['BASE_URL']}/reset-password/" + accounts.reset_token(
        user, current_app.config["SECRET_KEY"])
    return _composed(user, lambda: _("Reset your Outreach password"), "password_reset", url=url)


def _compose_sign_up(message) -> outbox.Composed:
    user, created = accounts.complete_sign_up(message.recipient, message.payload, now=message.created_at)
    if not created:
        return _composed(user, _exists_subject, "account_exists", language=message.payload.get("language"))
    url = accounts.confirmation_url(user, secret_key=current_app.config["SECRET_KEY"],
                                    base_url=current_app.config["BASE_URL"],
                                    next_url=message.payload.get("next_url"))
    return _composed(user, _confirm_subject, "confirm_email", url=url, language=message.payload.get("language"))


_COMPOSERS = {"password_reset": _compose_password_reset, "sign_up": _compose_sign_up}


def compose(message) -> outbox.Composed | None:
    """What a message the worker composes says (see outbox.queue_to_compose)."""
    return _COMPOSERS[message.kind](message)


def deliver_waiting(now=None) -> outbox.Report:
    """Send what is waiting in the outbox, with this app's mail settings: what the worker's
    task runs (and `flask send-outbox`, and the tests before they read the mail)."""
    config = current_app.config
    return outbox.send_waiting(mail.MailSettings.from_config(config), compose=compose,
                               policy=outbox.Policy.from_config(config), now=now,
                               sms_settings=sms.SmsSettings.from_config(config))


def _on_member_invited(sender, invitation, url, **extra):
    send_templated(invitation.email, f"Join {invitation.organisation.name} on Outreach", "invitation",
                   invitation=invitation, url=url)


# ------------------------------------------------------------------ bookings

def _family_accounts(young_person) -> list:
    """The accounts that hear about a young person's bookings: guardians and their own login (each
    once, by address)."""
    users = [link.guardian for link in young_person.guardian_links]
    if young_person.user is not None:
        users.append(young_person.user)
    return _each_address_once(users)


def _each_address_once(users) -> list:
    seen, out = set(), []
    for user in users:
        if user.email not in seen:
            seen.add(user.email)
            out.append(user)
    return out


def _title(programme) -> str:
    """The programme's title in the language being rendered (the `in_language` template filter)."""
    return current_app.jinja_env.filters["in_language"](programme, "title")


def _to_family(family_of, subject, template: str, **context):
    """The email to each account of the young person's family, in that account's language;
    `subject` is called inside it."""
    for user in _family_accounts(family_of):
        with i18n.in_language(user.language):
            send_templated(user.email, subject(), template, **context)


def send_texts(young_person, kind: str, *, organisation_id=None, registration_id=None, **context):
    """Queue templates/sms/<kind>.txt to each confirmed mobile of the family that chose this kind of
    text, in the caller's transaction (beside the email, never instead of it): rendered once per
    language, each number getting it in the language of the account that owns the number."""
    from .services import mobile

    by_language: dict[str, list[str]] = {}
    for number, owner in mobile.confirmed_numbers_with_owners(_family_accounts(young_person), kind):
        by_language.setdefault(i18n.known(owner.language) or i18n.DEFAULT, []).append(number)
    for language, numbers in by_language.items():
        text = render_text(kind, language, young_person=young_person, **context)
        for number in numbers:
            outbox.queue_sms(number, text, kind=kind, organisation_id=organisation_id,
                             registration_id=registration_id)


def render_text(kind: str, language: str | None, **context) -> str:
    """templates/sms/<kind>.txt in `language`, on one line, with the word to reply in that language."""
    with i18n.in_language(language) as lang:
        return " ".join(render_template(f"sms/{kind}.txt", reply_word=replies.reply_word(lang.code),
                                        **context).split())


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


def _calendar_attachment(registration):
    """The booked sessions as an .ics file, for the family's calendar (services/calendar.py)."""
    entries = calendar.entries_for_registration(registration)
    if not entries:
        return None
    programme = registration.programme or registration.session.programme
    ics = calendar.calendar_bytes(entries, name=programme.title)
    slug = "-".join(p for p in (name_slug(registration.young_person.first_name), name_slug(programme.title)) if p)
    return mail.Attachment(f"{slug or 'booking'}.ics", ics, "text", "calendar")


def _booking_attachments(registration):
    url, pass_png = _pass_attachment(registration.young_person)
    return url, [a for a in (pass_png, _calendar_attachment(registration)) if a is not None] or None


def _on_booking_confirmed(sender, registration, **extra):
    context = _booking_context(registration)
    url, attachments = _booking_attachments(registration)
    _to_family(registration.young_person, lambda: _("Booked: %(title)s", title=_title(context["programme"])),
               "booking_confirmed", attachments=attachments, pass_url=url, **context)
    send_texts(registration.young_person, "booking_confirmed", organisation_id=context["programme"].organisation_id,
               **{k: v for k, v in context.items() if k != "young_person"})


def _on_booking_promoted(sender, registration, **extra):
    context = _booking_context(registration)
    url, attachments = _booking_attachments(registration)
    _to_family(registration.young_person,
               lambda: _("A place came up: %(title)s", title=_title(context["programme"])),
               "booking_promoted", attachments=attachments, pass_url=url, **context)
    send_texts(registration.young_person, "booking_promoted", organisation_id=context["programme"].organisation_id,
               **{k: v for k, v in context.items() if k != "young_person"})


def _on_session_cancelled(sender, session, registrations, **extra):
    programme = session.programme
    day = to_local(session.starts_at, programme.organisation.timezone)
    for reg in registrations:
        _to_family(reg.young_person, lambda: _("Cancelled: %(title)s on %(day)s", title=_title(programme),
                                               day=i18n.format_moment(day, "%-d %b")),
                   "session_cancelled", session=session, programme=programme, young_person=reg.young_person,
                   tz=programme.organisation.timezone)
        send_texts(reg.young_person, "session_cancelled", organisation_id=programme.organisation_id,
                   session=session, programme=programme, tz=programme.organisation.timezone)


def send_reminder(session, young_person_id):
    """Queue the day-before reminder to a young person's family, in the caller's transaction
    (reminders.send_due_reminders commits it with the record that they were reminded)."""
    from sqlalchemy import select

    from .extensions import db
    from .models import Registration, YoungPerson

    young_person = db.session.get(YoungPerson, young_person_id)
    programme = session.programme
    # A start or end survey that falls due at this session is said in the reminder (survey_timing.py).
    due = survey_timing.due_at_session(young_person_id, session, now=session.starts_at, coming=True)
    live = passes.live_pass(young_person) if due else None
    for user in _family_accounts(young_person):
        with i18n.in_language(user.language):
            send_templated(user.email, _("Tomorrow: %(title)s", title=_title(programme)), "reminder",
                           session=session, programme=programme, young_person=young_person,
                           tz=programme.organisation.timezone,
                           family_url=current_app.config["BASE_URL"] + "/family",
                           surveys_due=due,
                           pass_url=passes.pass_url(current_app.config["BASE_URL"], live.secret) if live else None)
    # A reply "CANCEL" cancels a booking for this one session; a course enrolment is cancelled on
    # the website (one word by text should not end a whole term).
    booking = db.session.scalar(select(Registration).where(
        Registration.session_id == session.id, Registration.young_person_id == young_person.id,
        Registration.status == "confirmed"))
    send_texts(young_person, "reminder", organisation_id=programme.organisation_id,
               registration_id=booking.id if booking else None, can_reply=booking is not None, session=session,
               programme=programme, tz=programme.organisation.timezone,
               family_url=current_app.config["BASE_URL"] + "/family")


def _on_booking_cancelled_by_text(sender, registration, number, now, by=None, **extra):
    """"Done" back to the number that replied CANCEL (whatever its text choices: it asked), in the
    language of the account that replied."""
    session = registration.session
    programme = session.programme
    text = render_text("cancelled_by_reply", getattr(by, "language", None), young_person=registration.young_person,
                       programme=programme, session=session, tz=programme.organisation.timezone)
    outbox.queue_sms(number, text, kind="cancelled_by_reply", organisation_id=programme.organisation_id,
                     registration_id=registration.id, now=now)


def _on_comparison_joined(sender, programme, members, **extra):
    """Ask each new comparison-group member's family, once, to answer the surveys from the pass page."""
    tz = programme.organisation.timezone
    held = [s for s in programme.sessions if s.status == "scheduled"]
    for member in members:
        young_person = member.young_person
        live = passes.live_pass(young_person)
        url = passes.pass_url(current_app.config["BASE_URL"], live.secret) if live else None
        _to_family(young_person, lambda: _("A short survey from %(title)s", title=_title(programme)),
                   "comparison_invitation", young_person=young_person, programme=programme, member=member,
                   pass_url=url, family_url=current_app.config["BASE_URL"] + "/family",
                   last_session=held[-1] if held else None, tz=tz)


def _on_organisation_decided(sender, organisation, **extra):
    # The organisation's leads (the applicant at first); the contact address if it has none.
    leads = [m.user.email for m in organisation.memberships if m.role == "lead"]
    subject = ("Approved: {} can publish on Outreach" if organisation.status == "approved"
               else "Your Outreach application for {}").format(organisation.name)
    for to in leads or [organisation.contact_email]:
        send_templated(to, subject, "organisation_decided", organisation=organisation,
                       dashboard_url=f"{current_app.config['BASE_URL']}/org/{organisation.slug}/")


# ------------------------------------------------------------------ safeguarding and incidents

def _on_concern_raised(sender, concern, leads, **extra):
    """The designated safeguarding leads are told that a concern was raised, where and when, with a
    link: never its text or whom it is about (email is not a safe place for them). An organisation
    without a designated lead yet (it cannot publish) tells its leads, who must name one to read it."""
    org = concern.organisation
    url = f"{current_app.config['BASE_URL']}/org/{org.slug}/safeguarding/{concern.id}"
    recipients = [m.user.email for m in leads] or [m.user.email for m in org.memberships if m.role == "lead"]
    for to in dict.fromkeys(recipients):
        send_templated(to, f"Safeguarding concern raised at {org.name}", "concern_raised", organisation=org,
                       concern=concern, url=url, has_lead=bool(leads), tz=org.timezone,
                       team_url=f"{current_app.config['BASE_URL']}/org/{org.slug}/members")


def _on_incident_recorded(sender, incident, **extra):
    """The parents and carers of each injured young person are told the same day, in plain words:
    what happened, the first aid given, whom to contact."""
    org = incident.organisation
    session = incident.session
    for person in incident.injured:
        yp = person.young_person
        if yp is None or yp.erased_at is not None:
            continue
        guardians = _each_address_once([link.guardian for link in yp.guardian_links])
        for guardian in guardians:
            with i18n.in_language(guardian.language):
                send_templated(guardian.email, _("%(name)s was hurt at %(place)s", name=yp.short_name,
                                                 place=_title(session.programme) if session else org.name),
                               "incident_injury", incident=incident, young_person=yp, organisation=org,
                               session=session, tz=org.timezone)
        if guardians:
            person.guardians_told_at = incident.recorded_at


_RECEIVERS = [
    (signals.concern_raised, _on_concern_raised),
    (signals.incident_recorded, _on_incident_recorded),
    (signals.organisation_decided, _on_organisation_decided),
    (signals.booking_confirmed, _on_booking_confirmed),
    (signals.booking_promoted, _on_booking_promoted),
    (signals.booking_cancelled_by_text, _on_booking_cancelled_by_text),
    (signals.session_cancelled, _on_session_cancelled),
    (signals.password_reset_requested, _on_password_reset),
    (signals.sign_up_requested, _on_sign_up_requested),
    (signals.signup_confirmation_requested, _on_signup_confirmation),
    (signals.signup_address_taken, _on_signup_address_taken),
    (signals.member_invited, _on_member_invited),
    (signals.comparison_joined, _on_comparison_joined),
]
