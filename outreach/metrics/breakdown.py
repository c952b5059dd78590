import re

from sqlalchemy import func, select

from . import metric
from .base import AGE_BAND_LABELS
from ..models import YoungPerson
from ..models.young_person import GENDERS


@metric("breakdown", "Reach by age band, gender and postcode district")
def breakdown(q):
    """Reach and attendances (as defined above) per group of young people: age band on
    the reference date (the end of the range, or today), gender as recorded, and
    postcode district as recorded; "Not known" where a value is missing."""
    yp = YoungPerson.__table__
    dimensions = [("age_band", "Age band", q.age_band_of(yp.c.date_of_birth), AGE_BAND_LABELS),
                  ("gender", "Gender", func.coalesce(yp.c.gender, "unknown"), GENDERS | {"unknown": "Not known"}),
                  ("district", "Postcode district", func.coalesce(yp.c.postcode_district, "unknown"),
                   {"unknown": "Not known"})]
    # Attendances are counted per young person first, then those (one row each) grouped
    # by all three dimensions at once: no distinct count over every attendance. A young
    # person falls in exactly one (age band, gender, district) group, so adding the
    # groups up gives each dimension's reach without counting anyone twice.
    per_person = q.attendances_per_person()
    groups = [expr for _, _, expr, _ in dimensions]
    rows = q.rows(select(*groups, func.count(), func.sum(per_person.c.n))
                  .select_from(per_person.join(yp, yp.c.id == per_person.c.young_person_id)).group_by(*groups))
    out = []
    for i, (key, title, _, labels) in enumerate(dimensions):
        totals = {}
        for row in rows:
            reach, attendances = totals.get(row[i], (0, 0))
            totals[row[i]] = (reach + row[3], attendances + int(row[4]))
        ranked = [(g, totals[g]) for g in in_order(totals, labels)]
        out.append({"key": key, "title": title,
                    "groups": [{"key": g, "label": labels.get(g, g), "reach": n, "attendances": m}
                               for g, (n, m) in ranked]})
    return out


_DISTRICT = re.compile(r"([A-Za-z]+)([0-9]+)([A-Za-z]?)")


def district_key(district: str):
    """Postcode districts as people sort them: by area letters, then district number, then
    letter: M1, M4, M8, M11, M40, and SW1, SW1A, SW2. Anything else sorts by its text."""
    m = _DISTRICT.fullmatch(district)
    return (m[1].upper(), int(m[2]), m[3].upper()) if m else (district, 0, "")


def in_order(groups, labels) -> list:
    """Group keys in reading order: as listed in `labels` (age bands youngest first,
    genders as offered), postcode districts by `district_key`, "unknown" last."""
    rank = {g: n for n, g in enumerate(labels)}
    return sorted(groups, key=lambda g: (g == "unknown", rank.get(g, len(rank)), district_key(g)))
