"""The public catalogue: anyone can browse published programmes, no login."""
from flask import abort, current_app, render_template, request

from . import bp
from .forms import FilterForm
from ...extensions import db
from ...services import catalogue, places
from ...services.family import upcoming_sessions
from ...timeutil import utcnow


@bp.get("/activities")
def index():
    form = FilterForm(request.args)
    valid = form.validate()
    filters = catalogue.Filters()
    if valid:
        filters = catalogue.Filters(category=form.category.data or None, age=form.age.data,
                                    area=form.area.data or None, on=form.on.data, q=form.q.data or None)
    now = utcnow()
    page = db.paginate(catalogue.search(filters, now=now, tz=current_app.config["DEFAULT_TIMEZONE"]),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    ids = [p.id for p in page.items]
    nexts = catalogue.next_sessions(ids, now=now)
    session_places = places.places_left_for_sessions(s.id for s in nexts.values())
    course_places = places.places_left_for_programmes(ids)
    left = {pid: course_places.get(pid) if course_places.get(pid) is not None else
            (session_places.get(nexts[pid].id) if pid in nexts else None) for pid in ids}
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("catalogue/index.html", form=form, page=page, nexts=nexts, left=left, args=args,
                           filtered=bool(args), areas=catalogue.areas())


@bp.get("/activities/<int:programme_id>")
def programme(programme_id):
    programme = catalogue.published_programme(programme_id)
    if programme is None:
        abort(404)
    now = utcnow()
    sessions = upcoming_sessions(programme, now)
    session_places = places.places_left_for_sessions(s.id for s in sessions)
    course_left = places.places_left_for_programmes([programme.id]).get(programme.id)
    return render_template("catalogue/programme.html", programme=programme, sessions=sessions,
                           places=session_places, course_left=course_left, org=programme.organisation)
