"""Demo data: a believable term of outreach in Manchester, for trying Outreach out.

Three approved partners and one applicant, eight programmes, 300 young people
with guardians, passes and consent, bookings, a term of weekly sessions around
`now` and an attendance history that drops off the way real programmes do, plus
start/end surveys. Everything random comes from one seeded generator, so the
same `now` and seed give the same data (pass secrets excepted: those stay
unguessable even in a demo).

Rows are written with bulk INSERTs in one transaction; the whole seed takes a
second or two on SQLite.
"""
import random
import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select, text

from .. import instruments
from ..errors import ConflictError
from ..extensions import db
from ..models import (Attendance, AuthorisedCollector, Consent, FeedbackAnswer, FeedbackResponse, GuardianLink,
                      Membership, Organisation, Pass, Programme, ProgrammeSession, ProgrammeText, Registration, Survey,
                      SurveyQuestion, User, YoungPerson)
from ..timeutil import age_on, local_to_utc, to_local
from . import surveys

DEMO_PASSWORD = "outreach-demo-2026"
DEFAULT_SEED = 2026
YOUNG_PEOPLE = 300
CONSENT_WORDING_VERSION = "2026-09"
TZ = "Europe/London"
TERM_WEEKS = 13          # week 0 starts 8 weeks before the week of `now`
WEEKS_BEFORE_NOW = 8
HALF_TERM_WEEK = 6       # no sessions that week
# A session taking check-ins when the demo is seeded (unless one already is), so the door
# (scanner, list, walk-in, fire register) can be tried at once: check-in is open only around
# a session, from an hour before it starts to three hours after it ends.
NOW_SESSION_PROGRAMME = "cadets"
NOW_SESSION_CHECKED_IN = 5

# Demo addresses use the reserved .example domain: never deliverable, and
# accepted by email-validator (which refuses .test as a special-use name).
ADMIN_EMAIL = "admin@outreach.example"
GUARDIAN_EMAIL = "guardian@outreach.example"
YOUNG_PERSON_EMAIL = "young@outreach.example"

ORGANISATIONS = [
    {
        "key": "police", "name": "Northside Police Community Team", "slug": "northside-police",
        "kind": "police", "status": "approved", "website": "https://northside-police.example",
        "description": "Neighbourhood officers and PCSOs running safety sessions, football and cadet "
                       "tasters across east and central Manchester.",
        "staff": [("lead", "lead@northside-police.example", "Sergeant Dana Whitfield"),
                  ("worker", "worker@northside-police.example", "PCSO Tom Brennan"),
                  ("worker", "yasmin.ali@northside-police.example", "PCSO Yasmin Ali")],
    },
    {
        "key": "youth", "name": "Manchester City Youth Service", "slug": "city-youth-service",
        "kind": "youth_service", "status": "approved", "website": "https://city-youth.example",
        "description": "The council's youth workers: open youth clubs, music and mentoring in "
                       "Hulme, Ancoats and Cheetham Hill.",
        "staff": [("lead", "lead@city-youth.example", "Marcus Reid"),
                  ("worker", "worker@city-youth.example", "Chloe Nguyen"),
                  ("worker", "jamal.hussain@city-youth.example", "Jamal Hussain"),
                  ("worker", "agnes.mwangi@city-youth.example", "Agnes Mwangi")],
    },
    {
        "key": "sports", "name": "Moss Side Sports and Outdoors Club", "slug": "moss-side-sports",
        "kind": "sports_club", "status": "approved", "website": "https://moss-side-sports.example",
        "description": "A volunteer-run club and registered charity: boxing fitness, climbing and "
                       "days out for young people in south Manchester.",
        "staff": [("lead", "lead@moss-side-sports.example", "Kerry-Ann Lewis"),
                  ("worker", "worker@moss-side-sports.example", "Danny Walsh"),
                  ("worker", "bea.kowalski@moss-side-sports.example", "Bea Kowalski")],
    },
    {
        "key": "arts", "name": "Levenshulme Arts Collective", "slug": "levenshulme-arts",
        "kind": "charity", "status": "pending", "website": None,
        "description": "Street art and zine-making workshops for teenagers in Levenshulme.",
        "staff": [("lead", "applicant@levenshulme-arts.example", "Rosa Delgado")],
    },
]

# weekday: Monday is 0. weeks: which term weeks the programme runs.
PROGRAMMES = [
    {"key": "street_safe", "org": "police", "title": "Street Safe",
     "description": "A six-week course on staying safe out and online: county lines, knife crime, "
                    "phone scams and who to call. Run by neighbourhood officers, with pizza.",
     "category": "safety", "venue_name": "Longsight Community Hub",
     "venue_address": "21 Stockport Road, Longsight, Manchester M13 0LF", "district": "M13",
     "ages": (11, 16), "capacity": 20, "mode": "enrol", "weekday": 1,
     "times": (time(17, 30), time(19, 0)), "weeks": range(0, 6)},
    {"key": "football", "org": "police", "title": "Friday Night Football",
     "description": "Five-a-side under the floodlights with PCSOs and coaches. Just turn up; "
                    "boots and bibs provided.",
     "category": "sport", "venue_name": "Openshaw Community Pitches",
     "venue_address": "Ashton Old Road, Openshaw, Manchester M11 1JG", "district": "M11",
     "ages": (10, 17), "capacity": 40, "mode": "drop_in", "weekday": 4,
     "times": (time(18, 0), time(20, 0)), "weeks": range(TERM_WEEKS),
     "directions": "Come in from Ashton Old Road. The pitches are behind the car park; changing rooms are in "
                   "the clubhouse.",
     # In the catalogue in Urdu and Polish too (a reader's language, else the English); no Arabic yet.
     "texts": {
         "ur": {"title": "جمعہ کی رات فٹ بال",
                "description": "فلڈ لائٹس کے نیچے پانچ پانچ کھلاڑیوں کا فٹ بال، محلے کے پولیس اہلکاروں (PCSOs) اور "
                               "کوچز کے ساتھ۔ بس آ جائیں، جوتے اور بِب ہم دیں گے۔",
                "venue_directions": "ایشٹن اولڈ روڈ کی طرف سے اندر آئیں۔ پچز کار پارک کے پیچھے ہیں، اور کپڑے "
                                    "بدلنے کے کمرے کلب ہاؤس میں ہیں۔"},
         "pl": {"title": "Piłka nożna w piątkowy wieczór",
                "description": "Piłka pięcioosobowa przy sztucznym oświetleniu, z policjantami PCSO i trenerami. "
                               "Wystarczy przyjść: buty i znaczniki zapewniamy.",
                "venue_directions": "Wejście od Ashton Old Road. Boiska są za parkingiem, a szatnie w budynku klubu."},
     }},
    {"key": "cadets", "org": "police", "title": "Police Cadets Taster Evenings",
     "description": "Find out what volunteer police cadets do: first aid, radio skills, a look "
                    "round a patrol car. Book each evening separately.",
     "category": "skills", "venue_name": "Piccadilly Community Room",
     "venue_address": "3 Portland Street, Manchester M1 4AB", "district": "M1",
     "ages": (13, 18), "capacity": 20, "mode": "per_session", "weekday": 2,
     "times": (time(18, 30), time(20, 0)), "weeks": range(TERM_WEEKS)},
    {"key": "youth_club", "org": "youth", "title": "Zion Youth Club",
     "description": "Open youth club: pool, table tennis, games, a kitchen and youth workers to "
                    "talk to. Drop in any Thursday.",
     "category": "social", "venue_name": "Zion Centre",
     "venue_address": "339 Stretford Road, Hulme, Manchester M15 4ZY", "district": "M15",
     "ages": (11, 18), "capacity": 50, "mode": "drop_in", "weekday": 3,
     "times": (time(18, 0), time(21, 0)), "weeks": range(TERM_WEEKS)},
    {"key": "music", "org": "youth", "title": "Music Production Lab",
     "description": "A term-long course making tracks: beats, recording vocals, mixing. Ends with "
                    "a showcase night. Laptops and headphones provided.",
     "category": "arts", "venue_name": "Ancoats Youth Studio",
     "venue_address": "10 Blossom Street, Ancoats, Manchester M4 6AJ", "district": "M4",
     "ages": (13, 18), "capacity": 12, "mode": "enrol", "weekday": 0,
     "times": (time(17, 0), time(19, 0)), "weeks": range(TERM_WEEKS)},
    {"key": "mentoring", "org": "youth", "title": "Junior Mentoring Circle",
     "description": "Small-group mentoring for 8 to 12 year olds moving up to high school: "
                    "friendships, worries, and trying new things.",
     "category": "mentoring", "venue_name": "Cheetham Hill Youth Centre",
     "venue_address": "62 Cheetham Hill Road, Manchester M8 8EJ", "district": "M8",
     "ages": (8, 12), "capacity": 15, "mode": "enrol", "weekday": 2,
     "times": (time(16, 0), time(17, 30)), "weeks": range(TERM_WEEKS)},
    {"key": "boxing", "org": "sports", "title": "Boxing Fitness for Beginners",
     "description": "Pads, skipping and circuits with qualified coaches. No sparring. Book each "
                    "session; places are limited.",
     "category": "sport", "venue_name": "Moss Side Leisure Centre, Studio 2",
     "venue_address": "Moss Lane East, Moss Side, Manchester M14 4PX", "district": "M14",
     "ages": (12, 18), "capacity": 18, "mode": "per_session", "weekday": 1,
     "times": (time(18, 0), time(19, 30)), "weeks": range(TERM_WEEKS)},
    {"key": "climbing", "org": "sports", "title": "Saturday Climbing and Outdoors",
     "description": "Climbing wall sessions with instructors, and a couple of days out in the "
                    "Peak District. All kit provided.",
     "category": "outdoor", "venue_name": "Whalley Range Climbing Wall",
     "venue_address": "1 Withington Road, Whalley Range, Manchester M16 8AA", "district": "M16",
     "ages": (10, 16), "capacity": 12, "mode": "per_session", "weekday": 5,
     "times": (time(10, 0), time(12, 30)), "weeks": range(TERM_WEEKS)},
]
# Where the demo guardian's children (Ruby 10, Leo 14) are always placed.
DEMO_FAMILY_PLACES = {"music": "leo", "football": "leo", "boxing": "leo", "mentoring": "ruby", "climbing": "ruby"}
CANCELLED = ("football", 2, "Pitches waterlogged, sorry. See you next Friday.")

# Core and after-session questions as the survey service defines them, with the mean answer
# the demo draws around (trust in the police starts lowest).
_MEANS = {"felt_safe": 3.4, "trust_police": 2.8, "trust_youth_services": 3.5, "trusted_adult": 3.3,
          "felt_safe_session": 4.2, "enjoyed": 4.0, "would_return": 3.9}
CORE_QUESTIONS = [(code, text, _MEANS[code]) for code, text in surveys.CORE_QUESTIONS]
# The validated questionnaire each course's start and end surveys carry, chosen for its ages.
DEMO_INSTRUMENTS = {"street_safe": "swemwbs", "music": "swemwbs", "mentoring": "stirling"}
# A short after-session survey on one programme, so "session" surveys have data too.
SESSION_SURVEY = ("boxing", [(code, text, _MEANS[code]) for code, text in surveys.SESSION_QUESTIONS])

DISTRICTS = {"M1": 3, "M4": 5, "M8": 9, "M11": 9, "M12": 7, "M13": 10, "M14": 11, "M15": 10, "M16": 8,
             "M18": 5, "M19": 5, "M40": 5, "M20": 3}
AGE_WEIGHTS = {8: 5, 9: 6, 10: 8, 11: 10, 12: 12, 13: 12, 14: 12, 15: 11, 16: 9, 17: 7, 18: 3}

GIRLS = ["Olivia", "Amelia", "Isla", "Ava", "Freya", "Lily", "Grace", "Sophia", "Mia", "Ella", "Evie",
         "Poppy", "Ruby", "Aisha", "Fatima", "Maryam", "Zainab", "Hafsa", "Amira", "Layla", "Nia", "Amara",
         "Chloe", "Jessica", "Leah", "Maisie", "Niamh", "Erin", "Priya", "Anaya", "Zoe", "Hana", "Yasmin",
         "Ayesha", "Imani", "Kezia", "Tegan", "Bethany", "Sienna", "Zuzanna", "Oliwia", "Precious",
         "Blessing", "Chiamaka", "Keira", "Lacey", "Summer", "Ellie", "Roisin", "Mei"]
BOYS = ["Oliver", "George", "Harry", "Noah", "Jack", "Charlie", "Leo", "Oscar", "Alfie", "Jacob",
        "Muhammad", "Yusuf", "Ibrahim", "Ali", "Hamza", "Zayn", "Ayaan", "Adam", "Ethan", "Mason", "Tyler",
        "Callum", "Kyle", "Reece", "Jayden", "Tyrese", "Kai", "Kofi", "Tobi", "Chidi", "Emeka", "Daniel",
        "Samuel", "Joshua", "Lewis", "Connor", "Liam", "Kacper", "Jakub", "Filip", "Mateo", "Luca", "Rhys",
        "Owen", "Dylan", "Harvey", "Jamal", "Arjun", "Rohan", "Ahmed"]
EITHER = ["Alex", "Sam", "Jordan", "Riley", "Robin", "Jesse", "Ash", "Frankie", "Remi", "Morgan"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
            "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
            "Clarke", "Hughes", "Khan", "Ahmed", "Hussain", "Ali", "Begum", "Patel", "Shah", "Iqbal",
            "Rahman", "Okafor", "Adeyemi", "Mensah", "Osei", "Nwosu", "Campbell", "Morgan", "Murphy",
            "O'Brien", "Kelly", "Doyle", "Kowalski", "Nowak", "Kowalczyk", "Nguyen", "Chen", "Wong", "Lee",
            "Santos", "Silva", "Ibrahim", "Mohamed", "Abdi", "Yusuf", "Farah", "Grant", "Reid", "Lewis",
            "Bailey", "McDonald", "Ryan", "Fletcher", "Holt", "Barnes", "Ashworth", "Kershaw", "Entwistle"]
ADULT_WOMEN = ["Sarah", "Emma", "Laura", "Claire", "Rachel", "Nicola", "Gemma", "Aisha", "Nadia", "Shazia",
               "Funmi", "Grace", "Joanne", "Michelle", "Agnieszka", "Mei", "Kerry", "Lisa", "Stacey", "Amina"]
ADULT_MEN = ["James", "David", "Mark", "Paul", "Lee", "Mohammed", "Imran", "Tariq", "Chinedu", "Kwame",
             "Tomasz", "Darren", "Craig", "Gary", "Andrew", "Steven", "Wei", "Jason", "Dean", "Rizwan"]
MEDICAL_NOTES = ["Asthma - inhaler in bag", "Nut allergy", "Nut allergy - EpiPen in bag",
                 "Type 1 diabetes - may need a snack", "Epilepsy - care plan held by guardian",
                 "Hay fever", "ADHD - may need a quiet break", "Eczema - own cream",
                 "Asthma - inhaler in bag; egg allergy", "Wears glasses for sport"]
GUARDIAN_LABELS = {"Mum": 45, "Dad": 25, "Parent or carer": 15, "Grandparent": 7, "Foster carer": 4, "Aunt": 4}
COLLECTOR_LABELS = ["Grandparent", "Aunt", "Uncle", "Older sibling", "Family friend", "Childminder"]


def database_is_empty() -> bool:
    """True when there are no users and no organisations yet (a fresh install)."""
    has_user = db.session.execute(select(User.id).limit(1)).first() is not None
    has_org = db.session.execute(select(Organisation.id).limit(1)).first() is not None
    return not (has_user or has_org)


def _wipe():
    """Empty every table of the models (not alembic_version), inside the current transaction."""
    tables = db.metadata.sorted_tables
    if db.session.get_bind().dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())


def seed_demo(now: datetime, *, rng_seed: int = DEFAULT_SEED, password_hash: str, force: bool = False) -> dict:
    """Fill an empty database with demo data around `now`; returns counts and the demo logins.

    Refuses (ConflictError code "database_not_empty") when any user or
    organisation exists, unless `force`, which first empties every table.
    `password_hash` is the hash of DEMO_PASSWORD, computed once by the caller
    and shared by every demo account.
    """
    if not database_is_empty():
        if not force:
            raise ConflictError("The database already has data; demo data goes only into an empty one.",
                                code="database_not_empty")
        _wipe()
    summary = _Seeder(now, random.Random(rng_seed), password_hash).run()
    db.session.commit()
    return summary


def _insert_ids(model, rows: list[dict]) -> list[int]:
    """Bulk INSERT returning the new ids in the order of `rows`."""
    if not rows:
        return []
    result = db.session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def _insert(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(model), rows)


def _weighted(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Seeder:
    def __init__(self, now, rng, password_hash):
        self.now = now
        self.rng = rng
        self.password_hash = password_hash
        self.today = to_local(now, TZ).date()
        monday = self.today - timedelta(days=self.today.weekday())
        self.term_start = monday - timedelta(weeks=WEEKS_BEFORE_NOW)
        self.term_start_utc = local_to_utc(self.term_start, time(9, 0), TZ)
        self.phones = iter(range(1000))
        self.client_refs = set()
        self.logins = []

    def at(self, days_before_term: float) -> datetime:
        return self.term_start_utc - timedelta(days=days_before_term)

    def phone(self) -> str:
        # Ofcom's range for drama: never a real person's number.
        return f"07700 900{next(self.phones) % 1000:03d}"

    def run(self) -> dict:
        self._organisations()
        self._programmes_and_sessions()
        self._families()
        self._enrolments()
        self._term()
        self._surveys()
        return self._summary()

    # ------------------------------------------------------------ people at the partners

    def _organisations(self):
        admin = User(email=ADMIN_EMAIL, full_name="Sam Okoro", password_hash=self.password_hash,
                     is_platform_admin=True, created_at=self.at(120))
        db.session.add(admin)
        db.session.flush()
        self.logins.append(("platform admin", ADMIN_EMAIL, "approves partners, sees all evaluation"))
        self.orgs, self.staff = {}, {}
        for spec in ORGANISATIONS:
            people = []
            for role, email, name in spec["staff"]:
                user = User(email=email, full_name=name, phone=self.phone(), password_hash=self.password_hash,
                            created_at=self.at(100))
                db.session.add(user)
                people.append((role, user))
            db.session.flush()
            approved = spec["status"] == "approved"
            applied = self.at(90) if approved else self.now - timedelta(days=3)
            org = Organisation(
                name=spec["name"], slug=spec["slug"], kind=spec["kind"], description=spec["description"],
                contact_email=f"hello@{spec['staff'][0][1].split('@')[1]}", website=spec["website"],
                timezone=TZ, status=spec["status"], applied_by_id=people[0][1].id, applied_at=applied,
                decided_by_id=admin.id if approved else None, decided_at=self.at(85) if approved else None,
                decision_note="Checked safeguarding policy and DBS process." if approved else None)
            db.session.add(org)
            db.session.flush()
            for i, (role, user) in enumerate(people):
                # The first lead is the designated safeguarding lead: every organisation needs one to publish.
                db.session.add(Membership(organisation_id=org.id, user_id=user.id, role=role,
                                          is_safeguarding_lead=i == 0, created_at=self.at(84)))
            self.orgs[spec["key"]] = org
            self.staff[spec["key"]] = [user.id for _, user in people]
            for role, user in people[:2]:
                label = ("applicant (organisation pending approval)" if not approved
                         else f"{'programme lead and designated safeguarding lead' if role == 'lead' else 'youth worker'}, "
                              f"{org.name}")
                self.logins.append((role if approved else "applicant", user.email, label))
        db.session.flush()

    # ------------------------------------------------------------ programmes and the term

    def _programmes_and_sessions(self):
        self.programmes, self.sessions = {}, {}
        for spec in PROGRAMMES:
            org = self.orgs[spec["org"]]
            programme = Programme(
                organisation_id=org.id, title=spec["title"], description=spec["description"],
                category=spec["category"], venue_name=spec["venue_name"], venue_address=spec["venue_address"],
                postcode_district=spec["district"], min_age=spec["ages"][0], max_age=spec["ages"][1],
                capacity=spec["capacity"], registration_mode=spec["mode"], is_published=True,
                venue_directions=spec.get("directions", ""),
                published_at=self.at(40), created_at=self.at(45), updated_at=self.at(40))
            programme.texts = [ProgrammeText(language=code, **words) for code, words in spec.get("texts", {}).items()]
            db.session.add(programme)
            db.session.flush()
            self.programmes[spec["key"]] = programme
            rows = []
            for week in spec["weeks"]:
                if week == HALF_TERM_WEEK:
                    continue
                day = self.term_start + timedelta(weeks=week, days=spec["weekday"])
                starts = local_to_utc(day, spec["times"][0], TZ)
                cancelled = (spec["key"], week) == CANCELLED[:2]
                rows.append({"programme_id": programme.id, "starts_at": starts,
                             "ends_at": local_to_utc(day, spec["times"][1], TZ),
                             "status": "cancelled" if cancelled else "scheduled",
                             "cancelled_at": starts - timedelta(hours=5) if cancelled else None,
                             "cancel_reason": CANCELLED[2] if cancelled else None,
                             "created_at": self.at(40), "week": week})
            if spec["key"] == NOW_SESSION_PROGRAMME:
                rows = self._with_a_session_on_now(programme, rows)
            ids = _insert_ids(ProgrammeSession, [{k: v for k, v in r.items() if k not in ("week", "on_now")}
                                                 for r in rows])
            for row, session_id in zip(rows, ids):
                row["id"] = session_id
            self.sessions[spec["key"]] = rows

    def _with_a_session_on_now(self, programme, rows):
        """The programme's sessions, plus one that started half an hour ago when none is on now."""
        opens, closes = timedelta(hours=1), timedelta(hours=3)
        if any(r["starts_at"] - opens <= self.now <= r["ends_at"] + closes for r in rows if r["status"] == "scheduled"):
            return rows
        local = to_local(self.now - timedelta(minutes=30), TZ)
        starts = local_to_utc(local.date(), time(local.hour, local.minute - local.minute % 5), TZ)
        rows.append({"programme_id": programme.id, "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                     "status": "scheduled", "cancelled_at": None, "cancel_reason": None,
                     "created_at": self.at(40), "week": None, "on_now": True})
        return sorted(rows, key=lambda r: r["starts_at"])

    # ------------------------------------------------------------ young people and guardians

    def _families(self):
        rng = self.rng
        guardians, children = [], []   # plain dicts; ids filled in after the inserts

        def child(first, last, gender, age, district, family):
            birthday = date(self.today.year - age, self.today.month, min(self.today.day, 28))
            born = birthday - timedelta(days=rng.randrange(1, 365))
            return {"first_name": first, "last_name": last, "gender": gender, "date_of_birth": born,
                    "postcode_district": district, "family": family}

        # The demo guardian's family is fixed so the README can name them.
        guardians.append({"email": GUARDIAN_EMAIL, "full_name": "Helen Carter", "label": "Mum",
                          "phone": self.phone()})
        children.append(child("Ruby", "Carter", "girl", 10, "M13", 0) | {"demo": "ruby"})
        children.append(child("Leo", "Carter", "boy", 14, "M13", 0) | {"demo": "leo"})

        while len(children) < YOUNG_PEOPLE:
            family = len(guardians)
            surname = rng.choice(SURNAMES)
            district = _weighted(rng, DISTRICTS)
            label = _weighted(rng, GUARDIAN_LABELS)
            male = label == "Dad" or (label in ("Parent or carer", "Grandparent", "Foster carer")
                                      and rng.random() < 0.3)
            first = rng.choice(ADULT_MEN if male else ADULT_WOMEN)
            # A few guardians carry a different surname from the children.
            last = surname if rng.random() < 0.85 else rng.choice(SURNAMES)
            guardians.append({"email": f"{first}.{last}.{family}@families.example".lower().replace("'", ""),
                              "full_name": f"{first} {last}", "label": label, "phone": self.phone()})
            size = min(_weighted(rng, {1: 62, 2: 30, 3: 8}), YOUNG_PEOPLE - len(children))
            for _ in range(size):
                roll = rng.random()
                gender = ("girl" if roll < 0.47 else "boy" if roll < 0.94 else "non_binary" if roll < 0.965
                          else "prefer_not" if roll < 0.98 else None)
                pool = GIRLS if gender == "girl" else BOYS if gender == "boy" else EITHER
                children.append(child(rng.choice(pool), surname, gender, _weighted(rng, AGE_WEIGHTS),
                                      district, family))

        joined = [self.at(rng.uniform(5, 60)) for _ in guardians]
        guardian_ids = _insert_ids(User, [
            {"email": g["email"], "full_name": g["full_name"], "phone": g["phone"],
             "password_hash": self.password_hash, "created_at": joined[i]} for i, g in enumerate(guardians)])
        self.logins.append(("guardian", GUARDIAN_EMAIL, "Helen Carter, parent of Ruby (10) and Leo (14)"))

        # Some teenagers have their own login (at or over the age of digital consent).
        own_logins = []
        for c in children:
            c["age"] = age_on(c["date_of_birth"], self.today)
            if c.get("demo") == "leo" or (c["age"] >= 13 and not c.get("demo") and rng.random() < 0.35):
                email = (YOUNG_PERSON_EMAIL if c.get("demo") == "leo" else
                         f"{c['first_name']}.{c['last_name']}.{len(own_logins)}@young.example")
                c["login"] = len(own_logins)
                own_logins.append({"email": email.lower().replace("'", ""),
                                   "full_name": f"{c['first_name']} {c['last_name']}",
                                   "password_hash": self.password_hash,
                                   "created_at": joined[c["family"]] + timedelta(days=1)})
        login_ids = _insert_ids(User, own_logins)
        self.logins.append(("young person", YOUNG_PERSON_EMAIL, "Leo Carter (14), with his own login"))

        rows = []
        for c in children:
            g = guardians[c["family"]]
            c["guardian_id"] = guardian_ids[c["family"]]
            c["user_id"] = login_ids[c["login"]] if "login" in c else None
            c["joined"] = joined[c["family"]]
            rows.append({
                "first_name": c["first_name"], "last_name": c["last_name"], "date_of_birth": c["date_of_birth"],
                "gender": c["gender"], "postcode_district": c["postcode_district"],
                "emergency_contact_name": g["full_name"], "emergency_contact_phone": g["phone"],
                "medical_notes": rng.choice(MEDICAL_NOTES) if rng.random() < 0.18 else None,
                "photo_consent": rng.random() < 0.7,
                "may_go_home_alone": (c["age"] >= 12 and rng.random() < 0.75)
                or (c["age"] in (10, 11) and rng.random() < 0.2),
                "user_id": c["user_id"], "created_by_id": c["guardian_id"], "created_at": c["joined"],
            })
            c["may_go_home_alone"] = rows[-1]["may_go_home_alone"]
        ids = _insert_ids(YoungPerson, rows)
        for c, yp_id in zip(children, ids):
            c["id"] = yp_id

        links, consents, passes, collectors = [], [], [], []
        for c in children:
            g = guardians[c["family"]]
            links.append({"guardian_id": c["guardian_id"], "young_person_id": c["id"],
                          "relationship_label": g["label"], "created_at": c["joined"]})
            consents.append({"young_person_id": c["id"], "given_by_id": c["guardian_id"], "kind": "guardian",
                             "wording_version": CONSENT_WORDING_VERSION, "given_at": c["joined"]})
            passes.append({"young_person_id": c["id"], "secret": secrets.token_urlsafe(24),
                           "created_at": c["joined"]})
            c["collectors"] = [g["full_name"]]
            wanted = rng.choice([1, 1, 2]) if c["age"] < 12 else (1 if rng.random() < 0.25 else 0)
            for _ in range(wanted):
                name = f"{rng.choice(ADULT_WOMEN + ADULT_MEN)} {rng.choice([c['last_name']] + SURNAMES)}"
                collectors.append({"young_person_id": c["id"], "name": name,
                                   "relationship_label": rng.choice(COLLECTOR_LABELS), "phone": self.phone()})
                c["collectors"].append(name)
        _insert(GuardianLink, links)
        _insert(Consent, consents)
        _insert(Pass, passes)
        _insert(AuthorisedCollector, collectors)
        self.children = children
        self.guardian_count = len(guardians)
        self.login_count = len(own_logins)

    # ------------------------------------------------------------ who goes where

    def _booker(self, c) -> int:
        # Teenagers with their own login book for themselves about half the time.
        if c["user_id"] and self.rng.random() < 0.5:
            return c["user_id"]
        return c["guardian_id"]

    def _behaviour(self):
        """How one young person takes to one programme: the source of the drop-off."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.10:
            return {"kind": "never"}
        if roll < 0.25:
            return {"kind": "once"}
        if roll < 0.55:
            return {"kind": "fades", "p": rng.uniform(0.6, 0.9), "until": rng.randint(2, 6)}
        return {"kind": "regular", "p": rng.uniform(0.65, 0.95)}

    def _comes(self, b, k: int, first: int) -> bool:
        """Whether someone with behaviour `b`, first able to come at held session `first`, comes to session k."""
        if k < first:
            return False
        n = k - first
        if b["kind"] == "never":
            return False
        if b["kind"] == "once":
            return n == 0
        if b["kind"] == "fades" and n >= b["until"]:
            return False
        # Everyone comes a little less as the term wears on (dark evenings, exams).
        return self.rng.random() < b["p"] * (1 - 0.03 * n)

    def _enrolments(self):
        """Pick each programme's participants; enrol programmes get their registrations now."""
        rng = self.rng
        self.registrations, self.participants = [], {}
        for spec in PROGRAMMES:
            lo, hi = spec["ages"]
            eligible = [c for c in self.children if lo <= age_on(c["date_of_birth"], self.term_start) <= hi]
            rng.shuffle(eligible)
            # Stable sort: the demo family's child goes first, so their guardian always has bookings to show.
            eligible.sort(key=lambda c: c.get("demo") != DEMO_FAMILY_PLACES.get(spec["key"]))
            capacity = spec["capacity"]
            if spec["mode"] == "enrol":
                waiting = rng.randint(3, 5)
                chosen = eligible[:capacity + waiting]
                for i, c in enumerate(chosen):
                    made = self.at(rng.uniform(3, 30) if i < capacity else rng.uniform(0.5, 2))
                    confirmed = i < capacity
                    self.registrations.append({
                        "young_person_id": c["id"], "programme_id": self.programmes[spec["key"]].id,
                        "status": "confirmed" if confirmed else "waitlisted",
                        "waitlisted_at": None if confirmed else made, "source": "online",
                        "created_by_id": self._booker(c), "created_at": made,
                        "confirmed_at": made if confirmed else None})
                people = chosen[:capacity]
            else:
                people = eligible[:round(capacity * (1.6 if spec["mode"] == "per_session" else 1.4))]
            late = spec["mode"] != "enrol"
            self.participants[spec["key"]] = [
                (c, self._behaviour() if not c.get("demo") else {"kind": "regular", "p": 0.9},
                 rng.randint(1, 4) if late and rng.random() < 0.2 else 0)
                for c in people]

    def _term(self):
        attendances = []
        self.attended = {}   # (programme key, session id) -> [child]
        for spec in PROGRAMMES:
            key, capacity = spec["key"], spec["capacity"]
            staff = self.staff[spec["org"]]
            seen = set()
            held = [s for s in self.sessions[key] if s["status"] == "scheduled"]
            for k, s in enumerate(held):
                finished = s["ends_at"] <= self.now
                coming = [(c, b) for c, b, first in self.participants[key] if self._comes(b, k, first)]
                if spec["mode"] == "per_session":
                    # The session on now is booked as a held one is: who comes, and a few no-shows.
                    coming = self._book_session(spec, s, k, finished or s.get("on_now", False), coming)
                if s.get("on_now"):  # a few already in, none out yet
                    for c, _ in coming[:NOW_SESSION_CHECKED_IN]:
                        row = self._attendance(spec, s, c, first_time=c["id"] not in seen, staff=staff)
                        row.update(checked_in_at=min(row["checked_in_at"], self.now), checked_out_at=None,
                                   checked_out_by_id=None, collected_by=None, went_home_alone=False)
                        attendances.append(row)
                        seen.add(c["id"])
                if not finished:
                    continue
                coming = coming[:capacity]
                self.attended[(key, s["id"])] = [c for c, _ in coming]
                for c, _ in coming:
                    attendances.append(self._attendance(spec, s, c, first_time=c["id"] not in seen,
                                                        staff=staff))
                    seen.add(c["id"])
        _insert(Registration, self.registrations)
        _insert(Attendance, attendances)
        self.attendance_count = len(attendances)

    def _book_session(self, spec, s, k, finished, coming):
        """Per-session bookings: who comes booked (plus a few no-shows); future ones thin out."""
        rng = self.rng
        if finished:
            bookers = [(c, b, True) for c, b in coming]
            ids = {c["id"] for c, _ in coming}
            bookers += [(c, b, False) for c, b, first in self.participants[spec["key"]]
                        if c["id"] not in ids and k >= first and rng.random() < 0.08]
        else:
            weeks_ahead = max(0, (s["starts_at"] - self.now).days // 7)
            bookers = [(c, b, False) for c, b in coming if rng.random() < 0.85 ** weeks_ahead]
        rng.shuffle(bookers)
        bookers = bookers[:spec["capacity"]]
        for c, _, _ in bookers:
            made = min(s["starts_at"] - timedelta(days=rng.uniform(1, 9)), self.now - timedelta(hours=1))
            self.registrations.append({
                "young_person_id": c["id"], "session_id": s["id"], "status": "confirmed", "waitlisted_at": None,
                "source": "online", "created_by_id": self._booker(c), "created_at": made, "confirmed_at": made})
        return [(c, b) for c, b, shows in bookers if shows]

    def _attendance(self, spec, s, c, *, first_time, staff):
        rng = self.rng
        length = s["ends_at"] - s["starts_at"]
        minutes = max(-10.0, min(35.0, rng.gauss(4, 7)))
        checked_in = s["starts_at"] + timedelta(minutes=minutes)
        roll = rng.random()
        if spec["mode"] == "drop_in" and first_time and roll < 0.35:
            method = "walk_in"
        else:
            method = "qr" if roll < 0.87 else "manual"
        client_ref = None
        if method == "qr":
            client_ref = f"demo-{rng.getrandbits(64):016x}"
            while client_ref in self.client_refs:
                client_ref = f"demo-{rng.getrandbits(64):016x}"
            self.client_refs.add(client_ref)
        row = {"session_id": s["id"], "young_person_id": c["id"], "checked_in_at": checked_in,
               "checked_in_by_id": rng.choice(staff), "method": method, "client_ref": client_ref,
               "checked_out_at": None, "checked_out_by_id": None, "collected_by": None, "went_home_alone": False}
        age = age_on(c["date_of_birth"], s["starts_at"].date())
        # Under-12s are always signed out to someone; older ones often just leave.
        if age < 12 or rng.random() < 0.45:
            out = s["ends_at"] + timedelta(minutes=rng.uniform(-10, 15))
            if rng.random() < 0.08:
                out = s["starts_at"] + length * rng.uniform(0.3, 0.8)   # picked up early
            row["checked_out_at"] = max(out, checked_in + timedelta(minutes=5))
            row["checked_out_by_id"] = rng.choice(staff)
            if age >= 12 and c["may_go_home_alone"]:
                row["went_home_alone"] = True
            else:
                row["collected_by"] = rng.choice(c["collectors"])
        return row

    # ------------------------------------------------------------ feedback

    def _surveys(self):
        rng = self.rng
        responses, answers_for = [], []
        for spec in PROGRAMMES:
            if spec["mode"] != "enrol":
                continue
            programme_id = self.programmes[spec["key"]].id
            inst = instruments.get(DEMO_INSTRUMENTS.get(spec["key"]))
            questions = {}
            for kind, title in (("start", "Start of the course"), ("end", "End of the course")):
                survey = Survey(programme_id=programme_id, kind=kind, title=title, created_at=self.at(14))
                survey.questions = [SurveyQuestion(position=i + 1, code=code, text=wording)
                                    for i, (code, wording, _) in enumerate(CORE_QUESTIONS)]
                if inst is not None:  # a validated questionnaire after the core questions, as a lead adds it
                    survey.questions += [
                        SurveyQuestion(position=len(CORE_QUESTIONS) + item.number, code=f"{inst.code}_{item.number}",
                                       text=item.text, min_value=item.min_value, max_value=item.max_value,
                                       instrument=inst.code, item_number=item.number) for item in inst.items]
                db.session.add(survey)
                questions[kind] = survey
            db.session.flush()
            held = [s for s in self.sessions[spec["key"]] if s["status"] == "scheduled"]
            first, last = held[0], held[-1]

            def draw(c, on):
                # Core answers around their means; the instrument's only for the ages it was made for.
                values = [min(5, max(1, round(rng.gauss(mean, 0.9)))) for _, _, mean in CORE_QUESTIONS]
                if inst is not None:
                    asked = inst.is_for_age(age_on(c["date_of_birth"], on))
                    values += [min(item.max_value, max(item.min_value, round(rng.gauss(3.2, 0.8)))) if asked
                               else None for item in inst.items]
                return values

            start_values = {}
            if first["ends_at"] <= self.now:
                for c in self.attended.get((spec["key"], first["id"]), []):
                    if rng.random() < 0.9:
                        values = draw(c, first["starts_at"].date())
                        start_values[c["id"]] = values
                        responses.append(self._response(questions["start"], first, c))
                        answers_for.append(values)
            if last["ends_at"] <= self.now:
                for c in self.attended.get((spec["key"], last["id"]), []):
                    if rng.random() < 0.9:
                        before = start_values.get(c["id"]) or draw(c, last["starts_at"].date())
                        # A slight improvement on average, not for everyone.
                        values = [None if v is None else min(5, max(1, v + _weighted(rng, {-1: 8, 0: 50, 1: 35, 2: 7})))
                                  for v in before]
                        responses.append(self._response(questions["end"], last, c))
                        answers_for.append(values)
        key, wording = SESSION_SURVEY
        survey = Survey(programme_id=self.programmes[key].id, kind="session", title="After the session",
                        created_at=self.at(14))
        survey.questions = [SurveyQuestion(position=i + 1, code=code, text=text_)
                            for i, (code, text_, _) in enumerate(wording)]
        db.session.add(survey)
        db.session.flush()
        for s in self.sessions[key]:
            for c in self.attended.get((key, s["id"]), []):
                if rng.random() < 0.35:
                    responses.append(self._response(survey, s, c))
                    answers_for.append([min(5, max(1, round(rng.gauss(mean, 0.8)))) for _, _, mean in wording])
        ids = _insert_ids(FeedbackResponse, [r["row"] for r in responses])
        answers = []
        for response, response_id, values in zip(responses, ids, answers_for):
            for question, value in zip(response["survey"].questions, values):
                if value is not None:
                    answers.append({"response_id": response_id, "question_id": question.id, "value": value})
        _insert(FeedbackAnswer, answers)
        self.response_count = len(responses)

    def _response(self, survey, session, c):
        submitted = session["ends_at"] - timedelta(minutes=self.rng.uniform(2, 15))
        return {"survey": survey, "row": {"survey_id": survey.id, "young_person_id": c["id"],
                                          "session_id": session["id"], "submitted_at": submitted}}

    # ------------------------------------------------------------ report

    def _summary(self) -> dict:
        all_sessions = [s for rows in self.sessions.values() for s in rows]
        return {
            "organisations": len(ORGANISATIONS),
            "approved_organisations": sum(1 for o in ORGANISATIONS if o["status"] == "approved"),
            "pending_organisations": sum(1 for o in ORGANISATIONS if o["status"] == "pending"),
            "programmes": len(PROGRAMMES),
            "sessions": len(all_sessions),
            "past_sessions": sum(1 for s in all_sessions if s["ends_at"] <= self.now),
            "young_people": len(self.children),
            "guardians": self.guardian_count,
            "young_people_with_login": self.login_count,
            "registrations": len(self.registrations),
            "attendances": self.attendance_count,
            "feedback_responses": self.response_count,
            "term_starts": self.term_start.isoformat(),
            "password": DEMO_PASSWORD,
            "logins": list(self.logins),
        }
