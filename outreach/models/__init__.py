"""The domain's tables. One module per aggregate; invariants only, no workflows."""
from .user import User
from .organisation import Organisation, Membership, Invitation, ORG_ROLES, ORG_STATUSES, ORG_KINDS
from .programme import Programme, ProgrammeSession, ProgrammeText, CATEGORIES, REGISTRATION_MODES, SESSION_STATUSES
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
from .calendar_feed import CalendarFeed
from .timeline import (ContactNote, Milestone, MilestoneKind, Referral, NOTE_CONTACTS, REFERRAL_DIRECTIONS,
                       REFERRAL_OUTCOMES, REFERRAL_SOURCES)
from .follow_up import FollowUp, FollowUpContact, CONTACT_METHODS, CONTACT_OUTCOMES
from .dashboard_snapshot import DashboardSnapshot, SNAPSHOT_LEVELS, SNAPSHOT_PERIODS
from .mobile import MobileNumber

__all__ = [
    "User", "Organisation", "Membership", "Invitation", "Programme", "ProgrammeSession", "ProgrammeText",
    "YoungPerson", "GuardianLink", "AuthorisedCollector", "Consent", "Registration", "Pass",
    "Attendance", "Survey", "SurveyQuestion", "FeedbackResponse", "FeedbackAnswer", "AuditEvent", "ReminderSent",
    "FormToken",
    "HealthCheck",
    "OutgoingMessage", "MESSAGE_STATUSES", "CHANNELS",
    "ComparisonMember", "AreaBenchmark", "COMPARISON_SOURCES",
    "CalendarFeed",
    "Concern", "ConcernChange", "CONCERN_STATUSES", "REFERRAL_BODIES", "Incident", "IncidentPerson", "IncidentStaff",
    "ContactNote", "Milestone", "MilestoneKind", "Referral", "NOTE_CONTACTS", "REFERRAL_DIRECTIONS",
    "REFERRAL_OUTCOMES", "REFERRAL_SOURCES",
    "FollowUp", "FollowUpContact", "CONTACT_METHODS", "CONTACT_OUTCOMES",
    "DashboardSnapshot", "SNAPSHOT_LEVELS", "SNAPSHOT_PERIODS",
    "MobileNumber",
    "ORG_ROLES", "ORG_STATUSES", "ORG_KINDS", "CATEGORIES", "REGISTRATION_MODES",
    "SESSION_STATUSES", "REGISTRATION_STATUSES", "CHECKIN_METHODS", "SURVEY_KINDS",
]
from .delivery import SessionStaffTime, ProgrammeCost, STAFF_ROLES
from .equality import EqualityAnswers

__all__ += ["SessionStaffTime", "ProgrammeCost", "STAFF_ROLES", "EqualityAnswers"]
