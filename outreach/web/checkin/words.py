"""The words the door's scripts show (static/js/scanner.js, door-offline.js), in the page's language.

The page carries them as a JSON data block (`<script type="application/json" id="scanner-words">`, which
the content security policy allows: it is never run) mapping each English message to its translation;
the scripts look a message up by its English and fall back to it, so English reads as it always has.
A message that counts ("3 check-ins waiting") comes with every plural form of the language, keyed by
its CLDR category (one, few, many, other ...), which the script chooses with Intl.PluralRules.
"""
from babel import Locale
from flask_babel import get_translations, gettext

from ... import i18n
from ...errors import N_


def ngettext(singular: str, plural: str) -> tuple[str, dict]:
    """A counted message's English singular (the script's key) and every plural form of it in the
    page's language, by CLDR category, with "%(num)d" left for the script to fill. (Named so that
    extraction marks it as a plural message.)"""
    translations = get_translations()
    locale = Locale.parse(i18n.current().code)
    forms = {}
    for n in range(0, 200):
        category = locale.plural_form(n)
        if category not in forms:
            forms[category] = translations.ngettext(singular, plural, n)
    return singular, forms


# What the scanner says (scanner.js), and what the offline page fills in (door-offline.js).
_WORDS = (
    N_("Checked in"), N_("Already in"), N_("Queued"), N_("Already queued"), N_("Not now"), N_("Stop"),
    N_("Check"), N_("Undone"), N_("All sent"), N_("All sent."),
    N_("You have been signed out. Sign in again, then reopen the scanner."),
    N_("That didn't work."),
    N_("This pass is already waiting to be sent."),
    N_("No signal: saved on this phone with the time, and sent when the signal is back."),
    N_("No signal, and this pass isn't on today's list: it will be checked when the signal is back."),
    N_("Everything scanned without signal has been sent."),
    N_("Check-in for this session closed at %(time)s."),
    N_("No signal: the undo wasn't sent. Try again in a moment."),
    N_("No signal: try again, or add them as a walk-in from the list."),
    N_("The camera is blocked. Allow camera access for this site in the browser's settings, or check people in "
       "from the list."),
    N_("The camera can't be used on this phone. Check people in from the list instead."),
    N_("Resume camera"), N_("Pause camera"), N_("Camera paused."),
    N_("This session's list was not kept on this phone: open it once with signal. The scanner still queues "
       "passes if it was opened here before."),
    N_("This is the list kept on this phone at %(time)s. Scan passes to check people in: the scans are sent "
       "when the signal is back."),
    N_("This is the list kept on this phone. Scan passes to check people in: the scans are sent when the "
       "signal is back."),
    N_("Waiting list"), N_("In %(time)s"), N_("Queued, not sent yet"), N_("of %(booked)s booked, when the list was kept"),
)


def door_words() -> dict:
    """English message -> the page's language, for the door's scripts."""
    words = {message: gettext(message) for message in _WORDS}
    counted = [
        ngettext("%(num)d check-in waiting for signal, kept on this phone with the time each was scanned. They "
                 "are sent by themselves when the signal is back.",
                 "%(num)d check-ins waiting for signal, kept on this phone with the time each was scanned. They "
                 "are sent by themselves when the signal is back."),
        ngettext("%(num)d check-in scanned without signal is on the register at the time scanned.",
                 "%(num)d check-ins scanned without signal are on the register at the time scanned."),
        ngettext("One has the time it reached us instead: this phone's clock is wrong. Set it to the network "
                 "time in the phone's settings.",
                 "%(num)d have the time it reached us instead: this phone's clock is wrong. Set it to the "
                 "network time in the phone's settings."),
        ngettext("%(num)d scan needs a look on the session's list:",
                 "%(num)d scans need a look on the session's list:"),
        ngettext("You have been signed out. Sign in again, then open the scanner: the %(num)d check-in scanned "
                 "without signal are kept on this phone until then.",
                 "You have been signed out. Sign in again, then open the scanner: the %(num)d check-ins "
                 "scanned without signal are kept on this phone until then."),
        ngettext("%(num)d check-in is waiting on this phone for the signal.",
                 "%(num)d check-ins are waiting on this phone for the signal."),
    ]
    words.update(dict(counted))
    return words
