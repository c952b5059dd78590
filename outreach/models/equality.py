"""Optional equality monitoring for young people (issue 17, point 7): "for whom it works".

Special category data (UK GDPR Article 9: racial or ethnic origin, health). Kept in its
own table, apart from the young person's profile, so that no staff page, register or
export that loads a young person can show it by accident: only the family's own pages
read a row of it, and the evaluation reads it only as suppressed counts
(metrics/equality.py).

Lawful basis (UK GDPR Article 6): the partner's public task (6(1)(e)) for a police team or a
council youth service, legitimate interests (6(1)(f)) for a charity or club. Condition (Article
9(2)(g), substantial public interest): DPA 2018 Schedule 1 Part 2 paragraph 8, equality of
opportunity or treatment, which rules out decisions about a particular young person and
stops when they ask (hence: never shown to staff, counted only in suppressed groups, removable
by the family at any time). See the README.

Ethnic groups: the Government Statistical Service (GSS) harmonised standard for England
(and Wales), the 19 categories of the 2021 Census under their five headings, in the
published order, with "Prefer not to say":
  GSS harmonised categories for ethnicity, England and Wales — Cabinet Office / Office for
  Equality and Opportunity, "Annex C: Government Statistical Service harmonised categories
  for ethnicity", published 18 March 2025,
  https://www.gov.uk/government/consultations/equality-race-and-disability-bill-mandatory-ethnicity-and-disability-pay-gap-reporting/annex-c-government-statistical-service-harmonised-categories-for-ethnicity
  and the GSS ethnicity harmonised standard,
  https://analysisfunction.civilservice.gov.uk/policy-store/ethnicity-harmonised-standard/
Results are broken down by the five headings (the GSS guidance's aggregation for small
numbers), never by the 19 categories, so that fewer cells are small.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import N_
from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

PREFER_NOT = "prefer_not"

# (heading key, heading, [(category key, category)]), as published (marked N_: the family's
# equality page shows them in the reader's language).
ETHNIC_HEADINGS = [
    ("white", N_("White"), [
        ("white_british", N_("English, Welsh, Scottish, Northern Irish or British")),
        ("white_irish", N_("Irish")),
        ("gypsy_traveller", N_("Gypsy or Irish Traveller")),
        ("roma", N_("Roma")),
        ("white_other", N_("Any other White background")),
    ]),
    ("mixed", N_("Mixed or Multiple ethnic groups"), [
        ("mixed_white_black_caribbean", N_("White and Black Caribbean")),
        ("mixed_white_black_african", N_("White and Black African")),
        ("mixed_white_asian", N_("White and Asian")),
        ("mixed_other", N_("Any other Mixed or Multiple ethnic background")),
    ]),
    ("asian", N_("Asian or Asian British"), [
        ("indian", N_("Indian")),
        ("pakistani", N_("Pakistani")),
        ("bangladeshi", N_("Bangladeshi")),
        ("chinese", N_("Chinese")),
        ("asian_other", N_("Any other Asian background")),
    ]),
    ("black", N_("Black, Black British, Caribbean or African"), [
        ("caribbean", N_("Caribbean")),
        ("african", N_("African")),
        ("black_other", N_("Any other Black, Black British, or Caribbean background")),
    ]),
    ("other", N_("Other ethnic group"), [
        ("arab", N_("Arab")),
        ("other_ethnic", N_("Any other ethnic group")),
    ]),
]
ETHNIC_GROUPS = {key: label for _, _, cats in ETHNIC_HEADINGS for key, label in cats} | \
                {PREFER_NOT: "Prefer not to say"}
# Category -> heading key; "prefer not to say" is its own group in every breakdown.
ETHNIC_HEADING_OF = {key: heading for heading, _, cats in ETHNIC_HEADINGS for key, _ in cats} | \
                    {PREFER_NOT: PREFER_NOT}
ETHNIC_HEADING_LABELS = {heading: label for heading, label, _ in ETHNIC_HEADINGS} | {PREFER_NOT: "Prefer not to say"}

YES_NO = {"yes": N_("Yes"), "no": N_("No"), PREFER_NOT: N_("Prefer not to say")}


class EqualityAnswers(db.Model):
    """One young person's answers to the optional equality questions; each may be left blank."""

    __tablename__ = "equality_answers"

    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"),
                                                 primary_key=True)
    ethnic_group: Mapped[str | None] = mapped_column(String(32))
    disability: Mapped[str | None] = mapped_column(String(12))
    special_needs: Mapped[str | None] = mapped_column(String(12))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        one_of("ethnic_group", tuple(ETHNIC_GROUPS), "equality_ethnic_group"),
        one_of("disability", tuple(YES_NO), "equality_disability"),
        one_of("special_needs", tuple(YES_NO), "equality_special_needs"),
    )
