"""The privacy notice and the accessibility statement: public pages linked from every footer.

The privacy notice's figures come from the retention settings (services/privacy_notice.py); the
sign-up and add-child forms show its summary (templates/main/_privacy_summary.html)."""
from datetime import date

from flask import current_app, render_template
from flask_babel import ngettext

from ...i18n import format_moment
from ...services.privacy_notice import keeping_terms
from ...services.retention import Schedule
from . import bp


def privacy_terms():
    """The notice's figures for this install (for any page that shows the summary)."""
    config = current_app.config
    return keeping_terms(Schedule.from_config(config), age_of_consent=config["AGE_OF_CONSENT"], ngettext=ngettext)


@bp.get("/privacy")
def privacy():
    return render_template("main/privacy.html", terms=privacy_terms())


_PREPARED_ON = date(2026, 12, 2)  # when the statement was written and the site last tested


@bp.get("/accessibility")
def accessibility():
    try:
        reviewed = format_moment(date.fromisoformat(current_app.config["ACCESSIBILITY_REVIEWED_ON"]), "%-d %B %Y")
    except ValueError:  # a setting that is not a date is shown as it was written
        reviewed = current_app.config["ACCESSIBILITY_REVIEWED_ON"]
    # The statement's own dates, in the reader's language like the review's.
    return render_template("main/accessibility.html", reviewed_on=reviewed,
                           prepared_on=format_moment(_PREPARED_ON, "%-d %B %Y"))
