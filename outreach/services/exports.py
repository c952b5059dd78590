"""Running an export: who may, and the audit event that every run leaves."""
from ..errors import PermissionDeniedError, ValidationError
from ..exports import REGISTRY, ExportContext
from ..extensions import db
from ..timeutil import utcnow
from . import audit

FORMATS = ("csv", "xlsx")


def run_export(key: str, fmt: str, *, by, role: str, organisation, settings, pseudonym_key: bytes,
               programme=None, session=None, start=None, end=None, now=None):
    """Check the request, write the audit event (committed before any row leaves), and
    return the export's Table. Only a lead of the organisation may export."""
    spec = REGISTRY.get(key)
    if spec is None or fmt not in FORMATS:
        raise ValidationError("There is no such export.", code="unknown_export")
    if role != "lead":
        raise PermissionDeniedError("Only a programme lead can export.", code="lead_only")
    if spec.level == "session" and session is None:
        raise ValidationError("Choose a session for the register.", code="session_required", field="session")
    if spec.level == "programme" and programme is None:
        raise ValidationError("Choose a programme for the matrix.", code="programme_required", field="programme")
    if start and end and end <= start:
        raise ValidationError("The end date must be after the start date.", code="bad_range", field="end")
    now = now or utcnow()
    ctx = ExportContext(organisation=organisation, as_of=now, settings=settings, pseudonym_key=pseudonym_key,
                        programme=programme or (session.programme if session else None), session=session,
                        start=start, end=end)
    audit.record(f"export.{key}", actor=by, organisation=organisation, now=now, format=fmt,
                 programme_id=getattr(ctx.programme, "id", None), session_id=getattr(session, "id", None),
                 start=start.isoformat() if start else None, end=end.isoformat() if end else None)
    db.session.commit()
    return spec, spec.fn(ctx)
