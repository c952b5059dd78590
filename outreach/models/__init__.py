"""The domain's tables. One module per aggregate; invariants only, no workflows."""
from .user import User
from .organisation import Organisation, Membership, Invitation, ORG_ROLES, ORG_STATUSES, ORG_KINDS
from .programme import Programme, ProgrammeSession, CATEGORIES, REGISTRATION_MODES, SESSION_STATUSES
from .young_person import YoungPerson, GuardianLink, AuthorisedCollector, Consent
from .registration import Registration, REGISTRATION_STATUSES
from .pass_ import Pass
from .attendance import Attendance, CHECKIN_METHODS
from .feedback import Survey, SurveyQuestion, FeedbackResponse, FeedbackAnswer, SURVEY_KINDS
from .audit import AuditEvent
from .reminder import ReminderSent
from .form_token import FormToken
from .health import HealthCheck
from .outgoing import OutgoingMessage, MESSAGE_STATUSES, CHANNELS
from .comparison import ComparisonMember, COMPARISON_SOURCES
from .benchmark import AreaBenchmark
from .safeguarding import Concern, ConcernChange, CONCERN_STATUSES, REFERRAL_BODIES
from .incident import Incident, IncidentPerson, IncidentStaff
from .mobile import MobileNumber

__all__ = [
    "User", "Organisation", "Membership", "Invitation", "Programme", "ProgrammeSession",
    "YoungPerson", "GuardianLink", "AuthorisedCollector", "Consent", "Registration", "Pass",
    "Attendance", "Survey", "SurveyQuestion", "FeedbackResponse", "FeedbackAnswer", "AuditEvent", "ReminderSent",
    "FormToken",
    "HealthCheck",
    "OutgoingMessage", "MESSAGE_STATUSES", "CHANNELS",
    "ComparisonMember", "AreaBenchmark", "COMPARISON_SOURCES",
    "Concern", "ConcernChange", "CONCERN_STATUSES", "REFERRAL_BODIES", "Incident", "IncidentPerson", "IncidentStaff",
    "MobileNumber",
    "ORG_ROLES", "ORG_STATUSES", "ORG_KINDS", "CATEGORIES", "REGISTRATION_MODES",
    "SESSION_STATUSES", "REGISTRATION_STATUSES", "CHECKIN_METHODS", "SURVEY_KINDS",
]
