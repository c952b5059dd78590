"""The family's data download says, in the family's language, that safeguarding records exist and
who decides what is disclosed (its keys stay as they are, for software)."""
import json

from outreach.services import family
from tests.i18n import pseudo
from tests.services.test_safeguarding import NOW, _raise, team  # noqa: F401 (a fixture)


def _download(client, login_as, team):
    login_as(team["guardian"])
    answer = client.get(f"/family/children/{team['yp'].id}/data.json")
    assert answer.status_code == 200
    return json.loads(answer.get_data(as_text=True))


def test_the_downloads_note_on_safeguarding_records_is_marked(team, client, login_as, db, pseudo_language):  # noqa: F811
    _raise(team)
    team["guardian"].language = pseudo_language
    db.session.commit()
    note = _download(client, login_as, team)["safeguarding_records"]["note"]
    assert note.startswith(pseudo.OPEN) and not pseudo.leftover(note), note


def test_the_downloads_note_reaches_an_urdu_reading_guardian_in_urdu(team, client, login_as, db):  # noqa: F811
    _raise(team)
    team["guardian"].language = "ur"
    db.session.commit()
    data = _download(client, login_as, team)
    assert "سیف گارڈنگ" in data["safeguarding_records"]["note"]
    assert data["safeguarding_records"]["held_by"] == ["Northside Police Community Team"]
    # The service itself stays in English for every other caller.
    english = family.export_child(team["guardian"], team["yp"], now=NOW)["safeguarding_records"]["note"]
    assert english.startswith("Safeguarding records about this young person")
