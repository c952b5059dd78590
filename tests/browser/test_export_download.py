"""A lead who asks for a big export sees that it is being prepared, cannot start a second one
by tapping again while it is, and sees when the download has started."""
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import AuditEvent, Organisation
from outreach.services import demo
from outreach.services.passwords import hash_password
from outreach.timeutil import utcnow
from tests.conftest import sign_in


def test_an_export_being_prepared_keeps_its_form_busy_until_the_download_starts(live_server, desktop, tmp_path):
    with live_server.app.app_context():
        demo.seed_demo(utcnow(), password_hash=hash_password(demo.DEMO_PASSWORD))
        slug = db.session.execute(select(Organisation.slug).where(
            Organisation.name == "Northside Police Community Team")).scalar_one()

    page = desktop.new_page()
    sign_in(page, live_server.url, "lead@northside-police.example", f"**/org/{slug}/", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/org/{slug}/exports")
    form = page.locator("form[action$='/exports/evaluator_dataset']")
    form.locator("select[name=format]").select_option("xlsx")
    button, status = form.locator("button[type=submit]"), form.locator(".form-status")

    # The server is slow to answer: the first POST is held here until the test lets it go.
    # While a form's navigation is pending Playwright cannot read the page, so the page keeps
    # its own log of what the lead saw and of the taps it refused, read once the file is in.
    held, posts = [], []

    def hold(route):
        if route.request.method != "POST":
            return route.continue_()
        posts.append(route.request.post_data)
        held.append(route)

    page.route("**/exports/evaluator_dataset", hold)
    page.evaluate("""() => {
        const form = document.querySelector("form[action$='/exports/evaluator_dataset']");
        window.seen = [];
        window.refused = 0;
        const note = () => seen.push([form.querySelector("button").textContent,
                                      form.querySelector(".form-status").textContent]);
        new MutationObserver(note).observe(form, {subtree: true, childList: true, characterData: true});
        window.addEventListener("submit", (e) => { if (e.defaultPrevented) refused += 1; });
    }""")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    # Well past the four seconds after which an ordinary form can be sent again, a tap still
    # starts nothing.
    page.wait_for_timeout(4500)
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    assert len(posts) == 1 and "download_token=" in posts[0]

    with page.expect_download() as download:
        held[0].continue_()
    path = tmp_path / "evaluator.xlsx"
    download.value.save_as(path)
    expect(button).to_have_text("Download")
    expect(status).to_have_text("Your download has started.")
    seen, refused = page.evaluate("[window.seen, window.refused]")
    assert refused == 1
    preparing = [i for i, (label, _) in enumerate(seen) if label == "Preparing…"]
    assert preparing and "the download starts by itself" in seen[preparing[0]][1]
    # From the first tap until the file came, the button never offered another download.
    assert all(label == "Preparing…" for label, text in seen[preparing[0]:] if text != "Your download has started.")
    assert load_workbook(path, read_only=True).active.max_row > 1

    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action.like("export%"))) == 1

    # And it works again for the next one.
    page.unroute("**/exports/evaluator_dataset")
    with page.expect_download():
        button.click()
    expect(button).to_have_text("Download")
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action.like("export%"))) == 2
