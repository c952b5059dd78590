"""Answering surveys (on a young person's own pass page, or a worker's phone handed round)
and setting them up (a programme lead)."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import bp
from .forms import QuestionForm, answer_form, answers_of
from ... import instruments
from ...access import load, org_member_required
from ...errors import DomainError
from ...extensions import db
from ...models import Programme, ProgrammeSession, YoungPerson
from ...services import comparison, surveys
from ...timeutil import utcnow
from .. import limits
from ..family.routes import _own_live_pass
from ..params import row_id


@bp.route("/p/<secret>/feedback/<int:survey_id>", methods=["GET", "POST"])
@limits.pass_lookup
def answer(secret, survey_id):
    found = _own_live_pass(secret)
    session_id = request.args.get("session", type=row_id)
    now = utcnow()
    # Surveys open to them as a participant, and as a member of a comparison group (the
    # service marks the latter's answers as comparison when it stores them).
    offered = {(s.id, getattr(sess, "id", None)): (s, sess, title)
               for s, sess, title in surveys.open_for(found.young_person_id, now)
               + comparison.surveys_open_for(found.young_person_id, now)}
    if (survey_id, session_id) not in offered:
        flash(_("That survey isn't open for you now, or you've answered it already. Thank you!"), "info")
        return redirect(url_for("family.pass_page", secret=secret))
    survey, session, title = offered[(survey_id, session_id)]
    questions = surveys.questions_for(survey, db.session.get(YoungPerson, found.young_person_id), now=now)
    form = answer_form(questions, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            surveys.submit(survey, answers_of(form, questions), young_person_id=found.young_person_id,
                           session_id=getattr(session, "id", None), now=now)
        except DomainError as err:
            form.form_errors.append(err.translated())
        else:
            flash(_("Thank you! Your answers help make the sessions better."), "success")
            return redirect(url_for("family.pass_page", secret=secret))
    return render_template("feedback/answer.html", form=form, blocks=_blocks(form, questions), survey=survey,
                           session=session, title=title, tz=None, back=url_for("family.pass_page", secret=secret))


@bp.route("/org/<org_slug>/sessions/<int:session_id>/feedback", methods=["GET", "POST"])
@org_member_required()
def hand_round(session_id):
    """A worker's phone handed round the group: each set of answers is stored without a name."""
    session = load(ProgrammeSession, session_id, g.org)
    survey = surveys.survey_of(session.programme, "session")
    if survey is None:
        flash("This programme has no after-session survey yet. A programme lead can add one.", "info")
        return redirect(url_for("checkin.session", org_slug=g.org.slug, session_id=session.id))
    questions = surveys.questions_for(survey)
    form = answer_form(questions, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            surveys.submit(survey, answers_of(form, questions), session_id=session.id)
        except DomainError as err:
            form.form_errors.append(err.translated())
        else:
            flash("Thank you! Pass the phone on to the next person.", "success")
            return redirect(url_for("feedback.hand_round", org_slug=g.org.slug, session_id=session.id))
    return render_template("feedback/answer.html", form=form, blocks=_blocks(form, questions), survey=survey,
                           session=session, title=session.programme.title, tz=g.org.timezone, anonymous=True,
                           back=url_for("checkin.session", org_slug=g.org.slug, session_id=session.id))


@bp.route("/org/<org_slug>/programmes/<int:programme_id>/surveys", methods=["GET", "POST"])
@org_member_required("lead")
def manage(programme_id):
    programme = load(Programme, programme_id, g.org)
    form = QuestionForm()
    if request.method == "POST":
        kind = request.form.get("kind", "")
        if kind not in surveys.TITLES:
            abort(400)
        try:
            if request.form.get("action") == "create":
                surveys.ensure_survey(programme, kind)
                flash("Survey added with its standard questions.", "success")
                return redirect(url_for("feedback.manage", org_slug=g.org.slug, programme_id=programme.id))
            survey = surveys.survey_of(programme, kind)
            if survey is None:
                abort(404)
            if request.form.get("action") == "instrument":
                added = surveys.add_instrument(programme, survey, request.form.get("instrument", "")[:40])
                flash(f"{instruments.get(added[0].instrument).short_title} added, word for word.", "success")
                return redirect(url_for("feedback.manage", org_slug=g.org.slug, programme_id=programme.id))
            if form.validate_on_submit():
                surveys.add_question(survey, form.text.data)
                flash("Question added.", "success")
                return redirect(url_for("feedback.manage", org_slug=g.org.slug, programme_id=programme.id))
        except DomainError as err:
            flash(err.message, "error")
    found = surveys.surveys_of(programme)
    return render_template("feedback/manage.html", programme=programme, org=g.org, surveys=found,
                           titles=surveys.TITLES, form=form,
                           on={kind: surveys.instruments_on(s) for kind, s in found.items()},
                           offered={kind: surveys.instruments_offered(programme, s) for kind, s in found.items()},
                           get_instrument=instruments.get)


def _blocks(form, questions):
    """The form's fields in runs: the core and own questions, and each instrument's items
    together, so its instruction comes before them and its copyright line after."""
    blocks = []
    for question in questions:
        inst = instruments.get(question.instrument)
        if not blocks or blocks[-1][0] is not inst:
            blocks.append((inst, []))
        blocks[-1][1].append((question, getattr(form, f"q{question.id}")))
    return blocks
