"""The privacy notice and the accessibility statement: public pages linked from every footer.

The privacy notice's figures come from the retention settings (services/privacy_notice.py); the
sign-up and add-child forms show its summary (templates/main/_privacy_summary.html)."""
from datetime import date

from flask import current_app, render_template

from ...services.privacy_notice import keeping_terms
from ...services.retention import Schedule
from . import bp


def privacy_terms():
    """The notice's figures for this install (for any page that shows the summary)."""
    config = current_app.config
    return keeping_terms(Schedule.from_config(config), age_of_consent=config["AGE_OF_CONSENT"])


@bp.get("/privacy")
def privacy():
    return render_template("main/privacy.html", terms=privacy_terms())


@bp.get("/accessibility")
def accessibility():
    try:
        reviewed = date.fromisoformat(current_app.config["ACCESSIBILITY_REVIEWED_ON"]).strftime("%-d %B %Y")
    except ValueError:  # a setting that is not a date is shown as it was written
        reviewed = current_app.config["ACCESSIBILITY_REVIEWED_ON"]
    return render_template("main/accessibility.html", reviewed_on=reviewed)
