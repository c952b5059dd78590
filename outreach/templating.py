"""Jinja filters and globals: times in the organisation's zone, role helpers for the menu."""
from flask import g, has_request_context
from jinja2 import pass_context
from wtforms.form import BaseForm
from flask_login import current_user

from . import i18n
from .access import staff_memberships
from .timeutil import to_local


def _blank_for_none(value):
    # A missing value prints as nothing, never as the word "None". Where missing data matters
    # (no emergency contact on the fire register) the template says so in words.
    return "" if value is None else value


def init_app(app):
    default_tz = app.config["DEFAULT_TIMEZONE"]
    app.jinja_env.finalize = _blank_for_none

    def _tz(tz):
        return tz or getattr(getattr(g, "org", None), "timezone", None) or default_tz

    @app.template_filter("local")
    def local(moment, fmt="%a %-d %b %Y, %H:%M", tz=None):
        if moment is None:
            return ""
        return i18n.format_moment(to_local(moment, _tz(tz)), fmt)

    @app.template_filter("day")
    def day(value, fmt="%a %-d %b %Y"):
        """A date (no time of day) in the page's language: `{{ d|day('%-d %b %Y') }}`."""
        return "" if value is None else i18n.format_moment(value, fmt)

    @app.template_filter("number")
    def number(value):
        """1,234 in English, 1 234 in Polish, ١٬٢٣٤ where the language writes so."""
        return "" if value is None else i18n.format_number(value)

    @app.template_filter("in_language")
    def in_language(programme, field):
        """A programme's title, description or venue directions in the reader's language, else
        the English the organisation entered (`{{ programme|in_language('title') }}`)."""
        code = i18n.current().code
        if code != i18n.DEFAULT:
            for text in programme.texts:
                if text.language == code and getattr(text, field, ""):
                    return getattr(text, field)
        return getattr(programme, field)

    @app.template_filter("pass_code")
    def pass_code(secret):
        from .services.passes import pass_code as code

        return code(secret)

    @app.template_filter("local_time")
    def local_time(moment, tz=None):
        return local(moment, "%H:%M", tz)

    @app.template_filter("local_date")
    def local_date(moment, tz=None):
        return local(moment, "%a %-d %b %Y", tz)

    @app.template_global("title_error_prefix")
    @pass_context
    def title_error_prefix(context):
        """ "Error: " when a form on the page was sent back with errors, so a screen reader hears it
        first (GOV.UK's error summary pattern); checked once here for every page."""
        for value in context.values():
            if isinstance(value, BaseForm) and value.errors:
                from flask_babel import gettext

                return gettext("Error:") + " "
        return ""

    @app.context_processor
    def navigation():
        # Mail is rendered outside requests too, where there is no current user.
        signed_in = has_request_context() and current_user and current_user.is_authenticated
        memberships = staff_memberships(current_user) if signed_in else []
        return {"nav_memberships": memberships}
