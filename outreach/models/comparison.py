"""A programme's comparison group: young people who answer the programme's own start and
end surveys without taking part in it, so that change in the served group can be set
beside change in theirs (issue 17, point 4). Not randomised: who is in it is the lead's
choice, and the dashboard says so wherever the two groups are compared."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, or_, select, union
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow
from .attendance import Attendance
from .programme import ProgrammeSession
from .registration import Registration

# How a young person came into the group. Either way the organisation already knows them
# through the family's own booking (privacy.py): on this programme's waiting list, or a
# registration on another of its programmes (a later cohort, say).
COMPARISON_SOURCES = {
    "waiting_list": "Waiting list",
    "not_yet_served": "Not yet served",
}


class ComparisonMember(db.Model):
    """One young person in one programme's comparison group."""

    __tablename__ = "comparison_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    # "Not yet served": the programme whose registration brought them in (e.g. next term's cohort).
    via_programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    young_person = relationship("YoungPerson")
    programme = relationship("Programme", foreign_keys=[programme_id])
    via_programme = relationship("Programme", foreign_keys=[via_programme_id])

    __table_args__ = (
        one_of("source", tuple(COMPARISON_SOURCES), "source"),
        # Added once: a second "include the waiting list" adds only the newcomers.
        UniqueConstraint("programme_id", "young_person_id"),
        Index("ix_comparison_members_young_person", "young_person_id"),
    )

    @property
    def source_label(self) -> str:
        return COMPARISON_SOURCES.get(self.source, self.source)


def served_by(programme_id):
    """A SELECT of the ids of the young people a programme has served: given a place on it
    or one of its sessions (a confirmed registration, whatever became of it later), or come
    to one of its sessions. Nobody served is in its comparison group's figures."""
    on_session = select(ProgrammeSession.id).where(ProgrammeSession.programme_id == programme_id)
    placed = select(Registration.young_person_id).where(
        or_(Registration.programme_id == programme_id, Registration.session_id.in_(on_session)),
        Registration.confirmed_at.is_not(None))
    came = select(Attendance.young_person_id).join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id) \
        .where(ProgrammeSession.programme_id == programme_id)
    return union(placed, came)
