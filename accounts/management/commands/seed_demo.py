"""Demo data: the demo accounts, realistic members and a connection graph with communities.

`make run` calls `seed_demo --if-empty` on every start, so a fresh database comes up with
something to look at. The data is a pure function of `--seed` and `--members`: names,
headlines, locations, the graph, the invitations and the conversations come out the same every
time (only the timestamps move with the clock, by the same offsets).

The graph is a set of communities of about 25 to 40 members (a city, an industry, a few
employers), dense inside, with a few long links between communities. Each demo account is
connected to a handful of members of one or two communities, members that have no long links
themselves, so every demo account has 1st, 2nd and, beyond its communities, 3rd+ members.

The demo accounts other than free and admin subscribe to their plans through
`premium.services.subscription_start`, as a member would. About a quarter of the generated
members are Premium, mostly on Essentials, a few of them with an Open Profile: each subscribed
within the billing month in progress, so their whole history is the first allowance and maybe
a few credits spent, written in bulk exactly as the services would have written it.

Once everyone exists and the demo accounts have their plans, the demo accounts' conversations
are written through `inmail.services`, as members write them. With each demo account, two or
three of its connections exchange a few messages; Premium members who have spent credits
before send it two InMails (it answered one, the other waits, unread). The Premium demo
accounts send two paid InMails to 3rd+ members (one answered Interested, so its credit came
back), free one free InMail to an Open Profile, and essentials one of each (its paid one was
answered, so it keeps its 5 credits). Every credit spent and credited back is in the ledger
as for any member. The conversations between connections are then moved back over the last
two weeks; the InMails keep their times, those of their ledger entries. Nobody is emailed:
the addresses are made up.

Everything is written in one transaction: members, connections, invitations and the generated
members' plans with `bulk_create`, with one password hash for all.
"""

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from itertools import batched

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Connection, Invitation, Member
from accounts.slugs import slug_base
from core.errors import DomainError

# accounts never imports premium or inmail, except here: seed_demo builds the demo data of the
# whole site. The demo accounts and members need their plans, credits and ledgers, and the demo
# accounts their conversations, written through inmail's services so that each InMail spends
# and credits back through premium's, as for any member.
from inmail import services as inmail_services
from inmail.models import Conversation, Message, Participant
from premium import services as premium_services
from premium.models import CREDIT_LIFETIME, CreditGrant, LedgerEntry, Plan, Subscription, add_months

DEMO_PASSWORD = "inmail-demo-2026"
DEFAULT_SEED = 2026
DEFAULT_MEMBERS = 200
BATCH_SIZE = 5000

MINUTES_PER_DAY = 24 * 60
# Every generated member joined at least this long ago, so that connections and
# invitations (at most INVITATION_MAX_AGE_DAYS old) always come after both members joined.
JOINED_MIN_DAYS = 45
JOINED_MAX_DAYS = 6 * 365
INVITATION_MAX_AGE_DAYS = 30

COMMUNITY_SIZE = 32  # on average; sizes vary by ±25 %
INTRA_DEGREE = (5.5, 8.5)  # average connections inside a community, drawn per community
LONG_LINK_RATE = 0.3  # chance that a member has one connection into another community
INVITATION_RATE = 0.12  # pending invitations between generated members, per member

PREMIUM_SHARE = 0.25  # of the generated members
PLAN_WEIGHTS = {
    "premium-essentials": 45,
    "premium-pro": 20,
    "premium-business": 12,
    "recruiter-lite": 13,
    "sales-navigator-core": 10,
}
OPEN_PROFILE_RATE = 0.2  # of the Premium members (and at least one)
CANCELLED_RATE = 0.08  # of the Premium members (and at least one): running to the month's end
# Every generated subscription started within its first billing month: no month is shorter
# than 28 days, so the first anniversary is still to come and nothing is left to settle.
SUBSCRIBED_MAX_DAYS = 27


@dataclass(frozen=True)
class DemoAccount:
    key: str
    email: str
    first_name: str
    last_name: str
    headline: str
    location: str
    about: str
    joined_days: int
    connections: int  # generated members to connect with
    communities: int  # spread over this many communities
    received: int  # pending invitations received
    sent: int  # pending invitations sent
    is_admin: bool = False
    plan: str = ""  # the slug of the demo account's plan; free when empty


DEMO_ACCOUNTS = (
    DemoAccount(
        key="admin",
        email="admin@example.com",
        first_name="Alex",
        last_name="Admin",
        headline="Platform Administrator at InMail",
        location="Dublin, Ireland",
        about="I look after this InMail instance: members, reports and everything in between.",
        joined_days=1400,
        connections=6,
        communities=1,
        received=0,
        sent=0,
        is_admin=True,
    ),
    DemoAccount(
        key="free",
        email="free@example.com",
        first_name="Sam",
        last_name="Taylor",
        headline="Junior Frontend Developer at Brightpath | React · TypeScript",
        location="Lisbon, Portugal",
        about=(
            "Frontend developer two years out of a coding bootcamp. I like accessible "
            "interfaces, tidy CSS and learning from people who have shipped more than I have."
        ),
        joined_days=420,
        connections=8,
        communities=1,
        received=3,
        sent=2,
    ),
    DemoAccount(
        key="essentials",
        email="essentials@example.com",
        first_name="Priya",
        last_name="Raman",
        headline="Product Marketing Manager · Open to new opportunities",
        location="Toronto, Ontario, Canada",
        about=(
            "Product marketer with seven years in B2B SaaS: positioning, launches and the "
            "research behind them. Currently looking for my next team in Toronto or remote."
        ),
        joined_days=900,
        connections=7,
        communities=1,
        received=3,
        sent=3,
        plan="premium-essentials",
    ),
    DemoAccount(
        key="pro",
        email="pro@example.com",
        first_name="Marcus",
        last_name="Webb",
        headline="Senior Product Manager at Nimbus Cloud",
        location="London, England, United Kingdom",
        about=(
            "Product manager for developer tools. I spend my days with engineers and "
            "customers, and my evenings writing about product discovery."
        ),
        joined_days=1800,
        connections=14,
        communities=2,
        received=4,
        sent=2,
        plan="premium-pro",
    ),
    DemoAccount(
        key="business",
        email="business@example.com",
        first_name="Elena",
        last_name="Rossi",
        headline="Founder & CEO at Tessellate | Building tools for remote teams",
        location="Milan, Lombardy, Italy",
        about=(
            "Founder of Tessellate, where we help distributed teams plan together. "
            "Previously led operations at two scale-ups. Always happy to talk to founders."
        ),
        joined_days=2000,
        connections=15,
        communities=2,
        received=5,
        sent=3,
        plan="premium-business",
    ),
    DemoAccount(
        key="recruiter",
        email="recruiter@example.com",
        first_name="Jordan",
        last_name="Blake",
        headline="Talent Partner at Skyforge | Hiring engineers across Europe",
        location="Berlin, Germany",
        about=(
            "I hire backend, platform and data engineers for Skyforge's teams in Berlin, "
            "Amsterdam and remote. Tell me what you want from your next role."
        ),
        joined_days=1500,
        connections=15,
        communities=2,
        received=4,
        sent=4,
        plan="recruiter-lite",
    ),
    DemoAccount(
        key="sales",
        email="sales@example.com",
        first_name="Diego",
        last_name="Martins",
        headline="Account Executive at Meridian Cloud | Helping finance teams close faster",
        location="Austin, Texas, United States",
        about=(
            "Account executive for mid-market finance teams. I would rather understand your "
            "month-end close than pitch you a demo."
        ),
        joined_days=1100,
        connections=12,
        communities=2,
        received=3,
        sent=4,
        plan="sales-navigator-core",
    ),
)
DEMO_EMAILS = tuple(account.email for account in DEMO_ACCOUNTS)
PREMIUM_DEMO_ACCOUNTS = tuple(account for account in DEMO_ACCOUNTS if account.plan)
# Demo accounts connected with each other, kept only while each side still leaves at least
# one community out of reach in two hops. free and essentials are never linked.
DEMO_LINKS = (("pro", "business"), ("recruiter", "sales"), ("business", "sales"))
# Pending invitations between demo accounts (sender, recipient), when not connected.
DEMO_INVITATIONS = (("recruiter", "free"), ("sales", "essentials"), ("free", "pro"))

FIRST_NAMES = (
    "Aaliyah", "Abdullah", "Adebayo", "Adriana", "Ahmed", "Aiko", "Aisha", "Akira", "Alejandro",
    "Alessandro", "Amara", "Amir", "Ana", "Andrés", "Anika", "Arjun", "Astrid", "Ayesha", "Bao",
    "Beatriz", "Benjamin", "Bilal", "Bongani", "Camila", "Carlos", "Caroline", "Chen", "Chiara",
    "Chidi", "Chloé", "Connor", "Dana", "Daniel", "Dario", "Deepa", "Diego", "Dmitri", "Elena",
    "Elif", "Emeka", "Emil", "Emily", "Emma", "Erik", "Esther", "Farah", "Fatima", "Felipe",
    "Freya", "Gabriel", "Giulia", "Grace", "Hana", "Hannah", "Hassan", "Hiroshi", "Hugo",
    "Ibrahim", "Ikechukwu", "Inês", "Ingrid", "Isabel", "Ivan", "Jack", "Jamal", "James", "Jana",
    "Javier", "Jin", "João", "Jonas", "Jorge", "José", "Julia", "Kai", "Karim", "Kate", "Keisha",
    "Kenji", "Kofi", "Kwame", "Lars", "Laura", "Layla", "Lea", "Leila", "Leon", "Lina", "Lucas",
    "Lucía", "Luis", "Magnus", "Mai", "Malik", "Marco", "María", "Mariam", "Mateo", "Maya",
    "Mei", "Mia", "Michael", "Ming", "Mohammed", "Mónica", "Nadia", "Naomi", "Nia", "Nikhil",
    "Nina", "Nkechi", "Noah", "Nour", "Olga", "Oliver", "Omar", "Oscar", "Pablo", "Paulo",
    "Priya", "Quentin", "Rafael", "Rahul", "Rania", "Ravi", "Rosa", "Ruth", "Ryan", "Sakura",
    "Samuel", "Sana", "Sara", "Sean", "Sebastian", "Sipho", "Sofia", "Sunita", "Tanvi", "Tariq",
    "Thabo", "Thomas", "Tomás", "Uma", "Valentina", "Vera", "Vikram", "Wanjiru", "Wei", "Ximena",
    "Xin", "Yara", "Yasmin", "Yosef", "Yuki", "Yusuf", "Zainab", "Zara", "Zeynep", "Zoë",
)  # fmt: skip

LAST_NAMES = (
    "Abebe", "Adeyemi", "Aguilar", "Ahmed", "Ali", "Almeida", "Andersson", "Bakker", "Baker",
    "Bautista", "Becker", "Bernard", "Bianchi", "Bose", "Brown", "Byrne", "Campbell", "Carter",
    "Castillo", "Chatterjee", "Chen", "Cho", "Choi", "Clark", "Cohen", "Costa", "Cruz", "Das",
    "de Vries", "Demir", "Diallo", "Díaz", "Dlamini", "Dubois", "Edwards", "Esposito", "Evans",
    "Fernández", "Ferrari", "Ferreira", "Fischer", "Flores", "Friedman", "Georgiou", "Gómez",
    "González", "Green", "Gupta", "Haddad", "Haile", "Hall", "Hansen", "Harris", "Hernández",
    "Herrera", "Hill", "Hoang", "Hoffmann", "Hosseini", "Hussain", "Ito", "Ivanova", "Iyer",
    "Jackson", "Jansen", "Johansson", "Johnson", "Jung", "Kang", "Kariuki", "Kaya", "Kelly",
    "Khalil", "Khan", "Kim", "Kobayashi", "Korhonen", "Kowalski", "Kumar", "Larsen", "Laurent",
    "Le", "Lee", "Lefebvre", "Levi", "Lewis", "Li", "Lindqvist", "Liu", "López", "Martin",
    "Martínez", "Medina", "Mendoza", "Menon", "Mensah", "Miller", "Mitchell", "Moreau",
    "Morales", "Müller", "Murphy", "Mwangi", "Nakamura", "Nasser", "Ndlovu", "Nelson",
    "Nguyen", "Nielsen", "Novak", "Nowak", "O'Brien", "Okafor", "Okonkwo", "Oliveira", "Ortiz",
    "Papadopoulos", "Park", "Parker", "Patel", "Peeters", "Pereira", "Pérez", "Petrov", "Pham",
    "Ramírez", "Rahman", "Reddy", "Reyes", "Rivera", "Roberts", "Rodrigues", "Romano", "Romero",
    "Rossi", "Ruiz", "Russo", "Sánchez", "Santos", "Santoso", "Sato", "Schmidt", "Schneider",
    "Scott", "Sharma", "Silva", "Singh", "Smith", "Souza", "Stewart", "Sullivan", "Suzuki",
    "Tanaka", "Taylor", "Tesfaye", "Torres", "Tran", "Turner", "van Dijk", "Vargas", "Virtanen",
    "Walker", "Wang", "Watanabe", "Weber", "Wijaya", "Williams", "Wilson", "Wright", "Yamamoto",
    "Yilmaz", "Young", "Zhang",
)  # fmt: skip

LOCATIONS = (
    "Amsterdam, North Holland, Netherlands",
    "Auckland, New Zealand",
    "Austin, Texas, United States",
    "Barcelona, Catalonia, Spain",
    "Bengaluru, Karnataka, India",
    "Berlin, Germany",
    "Bogotá, Capital District, Colombia",
    "Buenos Aires, Argentina",
    "Cairo, Egypt",
    "Cape Town, Western Cape, South Africa",
    "Chicago, Illinois, United States",
    "Copenhagen, Denmark",
    "Dubai, United Arab Emirates",
    "Dublin, Ireland",
    "Istanbul, Türkiye",
    "Lagos, Nigeria",
    "Lisbon, Portugal",
    "London, England, United Kingdom",
    "Madrid, Community of Madrid, Spain",
    "Melbourne, Victoria, Australia",
    "Mexico City, Mexico",
    "Milan, Lombardy, Italy",
    "Mumbai, Maharashtra, India",
    "Nairobi, Kenya",
    "New York, New York, United States",
    "Paris, Île-de-France, France",
    "San Francisco, California, United States",
    "São Paulo, Brazil",
    "Seattle, Washington, United States",
    "Seoul, South Korea",
    "Singapore",
    "Stockholm, Sweden",
    "Sydney, New South Wales, Australia",
    "Tokyo, Japan",
    "Toronto, Ontario, Canada",
    "Warsaw, Masovian Voivodeship, Poland",
    "Zurich, Switzerland",
)

COMPANIES = (
    "Adventure Works", "Alder Health", "Atlas Logistics", "Beacon Insurance", "Bluefin Analytics",
    "Brightpath", "Cedar & Pine", "Contoso", "Copperleaf Games", "Corvid Labs",
    "Evergreen Energy", "Fabrikam", "Fernbrook Foods", "Globex", "Granite Works", "Helix Bio",
    "Initech", "Kestrel Health", "Lumenfield", "Meridian Cloud", "Nimbus Cloud", "Northwind",
    "Orbital Systems", "Parallax Studio", "Pioneer Robotics", "Quantum Ledger",
    "Riverstone Retail", "Sable Security", "Silverline Media", "Skyforge",
    "Summit Ridge Capital", "Tailspin Toys", "Tessellate", "Tidewater Consulting",
    "Waypoint Travel", "Wide World Importers",
)  # fmt: skip

INDUSTRIES = (
    "AI", "Biotech", "Climate Tech", "Cybersecurity", "E-commerce", "EdTech", "Energy",
    "Fintech", "Gaming", "Healthcare", "Insurance", "Logistics", "Media", "Nonprofit",
    "Public Sector", "Real Estate", "Retail", "SaaS", "Travel",
)  # fmt: skip

HOBBIES = (
    "running", "bouldering", "sourdough baking", "chess", "mentoring new grads", "photography",
    "cycling", "board games", "learning Japanese", "hiking", "jazz piano", "coaching youth "
    "football", "open-source side projects", "long-distance swimming", "podcasts about history",
)  # fmt: skip


@dataclass(frozen=True)
class Family:
    roles: tuple[str, ...]
    leads: tuple[str, ...]
    skills: tuple[str, ...]
    missions: tuple[str, ...]
    work: tuple[str, ...]
    # Employers and industries of the family's members; any when empty.
    companies: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()


FAMILIES = (
    Family(
        roles=(
            "Software Engineer", "Backend Engineer", "Frontend Engineer", "Full-Stack Developer",
            "Mobile Engineer", "DevOps Engineer", "Site Reliability Engineer", "Security Engineer",
            "QA Engineer", "Platform Engineer", "Embedded Software Engineer",
        ),
        leads=("Engineering Manager", "Director of Engineering", "VP of Engineering", "CTO"),
        skills=(
            "Python", "Go", "TypeScript", "React", "Kubernetes", "AWS", "PostgreSQL", "Rust",
            "Distributed Systems", "Django", "Java", "Kotlin", "Swift", "Terraform",
        ),
        missions=(
            "Building reliable systems at scale", "Shipping software people love",
            "Making infrastructure boring", "Writing code that is easy to delete",
        ),
        work=(
            "build the services behind our checkout", "work on the platform team",
            "keep our APIs fast and our pagers quiet", "build the mobile apps",
            "lead the migration to Kubernetes",
        ),
    ),
    Family(
        roles=(
            "Data Engineer", "Data Scientist", "Data Analyst", "Machine Learning Engineer",
            "Analytics Engineer", "Research Scientist", "BI Developer",
        ),
        leads=("Head of Data", "Director of Data Science", "Chief Data Officer"),
        skills=(
            "SQL", "Python", "dbt", "Spark", "Airflow", "Machine Learning", "Statistics",
            "Tableau", "LLMs", "Experimentation", "Forecasting",
        ),
        missions=(
            "Turning data into decisions", "Making experiments trustworthy",
            "Bringing machine learning to production",
        ),
        work=(
            "build the data platform", "run the experimentation program",
            "model demand for our supply chain", "train and ship ranking models",
        ),
    ),
    Family(
        roles=(
            "Product Manager", "Product Designer", "UX Researcher", "UX Writer", "UI Designer",
            "Product Owner", "Design Systems Designer",
        ),
        leads=("Head of Product", "Design Director", "VP of Product", "Chief Product Officer"),
        skills=(
            "Product Strategy", "Figma", "User Research", "Roadmapping", "Accessibility",
            "Prototyping", "Product Discovery", "B2B SaaS", "Design Systems",
        ),
        missions=(
            "Designing products people actually use", "Helping teams ship the right thing",
            "Making complex software feel simple",
        ),
        work=(
            "own onboarding and activation", "lead research for the core product",
            "look after our design system", "run discovery for new markets",
        ),
    ),
    Family(
        roles=(
            "Marketing Manager", "Growth Marketer", "Content Strategist", "SEO Specialist",
            "Brand Manager", "Product Marketing Manager", "Social Media Manager",
            "Demand Generation Manager",
        ),
        leads=("Head of Marketing", "Marketing Director", "CMO"),
        skills=(
            "Demand Generation", "Content Marketing", "SEO", "Lifecycle Marketing", "Branding",
            "Paid Social", "Marketing Analytics", "Storytelling", "Go-to-Market",
        ),
        missions=(
            "Helping B2B brands tell better stories", "Growing products people love",
            "Turning customers into fans",
        ),
        work=(
            "lead our product launches", "run content and SEO", "own lifecycle marketing",
            "build the brand in new markets",
        ),
    ),
    Family(
        roles=(
            "Account Executive", "Sales Development Representative", "Customer Success Manager",
            "Solutions Engineer", "Account Manager", "Business Development Representative",
            "Partnerships Manager",
        ),
        leads=(
            "Sales Director", "VP of Sales", "Head of Customer Success", "Chief Revenue Officer",
        ),
        skills=(
            "SaaS Sales", "Enterprise Sales", "Negotiation", "Salesforce", "Pipeline Generation",
            "Partnerships", "Customer Onboarding", "Account Management",
        ),
        missions=(
            "Helping finance teams close faster", "Helping customers get value on day one",
            "Building partnerships that last",
        ),
        work=(
            "look after our enterprise accounts", "open new markets in the region",
            "help customers roll out our platform", "build our partner channel",
        ),
    ),
    Family(
        roles=(
            "HR Business Partner", "Talent Acquisition Specialist", "Technical Recruiter",
            "People Operations Manager", "Learning & Development Lead", "Compensation Analyst",
            "Talent Partner",
        ),
        leads=("Head of People", "HR Director", "Chief People Officer"),
        skills=(
            "Technical Recruiting", "Employer Branding", "Onboarding", "DEI", "Culture",
            "Performance Management", "HR Analytics", "Talent Strategy",
        ),
        missions=(
            "Helping great people find great teams", "Building workplaces people stay in",
            "Hiring with empathy",
        ),
        work=(
            "hire our engineering teams", "run people operations", "build our career framework",
            "look after onboarding",
        ),
    ),
    Family(
        roles=(
            "Financial Analyst", "Accountant", "Controller", "FP&A Manager", "Treasury Analyst",
            "Auditor", "Investment Associate",
        ),
        leads=("Finance Director", "VP of Finance", "CFO"),
        skills=(
            "FP&A", "Financial Modeling", "IFRS", "Excel", "M&A", "Budgeting", "Risk Management",
            "Corporate Finance",
        ),
        missions=(
            "Making numbers tell the story", "Helping startups grow sustainably",
            "Turning finance into a partner, not a gate",
        ),
        work=(
            "run planning and forecasting", "own month-end close", "lead fundraising models",
            "look after treasury",
        ),
    ),
    Family(
        roles=(
            "Operations Manager", "Project Manager", "Program Manager", "Supply Chain Analyst",
            "Business Analyst", "Management Consultant", "Strategy Consultant", "Scrum Master",
            "Procurement Specialist",
        ),
        leads=("Director of Operations", "Chief of Staff", "COO"),
        skills=(
            "Lean", "Six Sigma", "Process Design", "Agile", "Stakeholder Management", "Logistics",
            "Change Management", "Strategy", "PMP",
        ),
        missions=(
            "Making operations run like clockwork", "Turning strategy into execution",
            "Helping teams deliver on time",
        ),
        work=(
            "run operations for the region", "lead our biggest transformation program",
            "redesign the supply chain", "keep cross-team programs on track",
        ),
    ),
    Family(
        roles=(
            "Registered Nurse", "Clinical Research Associate", "Pharmacist", "Physiotherapist",
            "Healthcare Administrator", "Biomedical Engineer", "Medical Science Liaison",
        ),
        leads=("Director of Nursing", "Head of Clinical Operations", "Chief Medical Officer"),
        skills=(
            "Patient Care", "Clinical Trials", "GCP", "Regulatory Affairs", "Digital Health",
            "Medical Devices", "Public Health",
        ),
        missions=(
            "Improving patient outcomes", "Bringing better medicine to more people",
            "Making healthcare more human",
        ),
        work=(
            "coordinate clinical trials", "work on the cardiology ward",
            "run our digital health pilots", "support hospitals adopting our devices",
        ),
        companies=(
            "Alder Health", "Kestrel Health", "Helix Bio", "Riverside General Hospital",
            "St. Anne's Medical Center", "Northbridge Clinic",
        ),
        industries=("Healthcare", "Biotech", "Public Sector", "Nonprofit"),
    ),
)  # fmt: skip

# Seniority prefixes, by the last word of the role they fit, with the years behind them.
SENIORITY = (
    ("", None, (2, 9)),
    ("", None, (2, 9)),
    ("", None, (2, 9)),
    ("Junior ", ("Engineer", "Developer", "Designer", "Analyst", "Accountant", "Marketer"), (1, 3)),
    ("Senior ", ("Engineer", "Developer", "Designer", "Scientist", "Analyst", "Researcher",
                 "Writer", "Accountant", "Recruiter", "Consultant", "Specialist", "Marketer",
                 "Strategist", "Associate", "Auditor", "Executive", "Manager"), (5, 14)),
    ("Senior ", ("Engineer", "Developer", "Designer", "Scientist", "Analyst", "Manager"), (5, 14)),
    ("Lead ", ("Engineer", "Developer", "Designer", "Scientist", "Researcher"), (8, 18)),
    ("Principal ", ("Engineer", "Scientist", "Designer", "Consultant"), (10, 25)),
)  # fmt: skip

NOTES = (
    "Hi {first}, I came across your profile and would love to connect.",
    "Hi {first}, we're both in the same field and I'd like to keep in touch.",
    "Hello {first}, I enjoyed your recent post. Let's connect!",
    "Hi {first}, great meeting you at the meetup last week. Let's stay in touch.",
    "Hi {first}, I'm working on something you might find interesting. Open to a chat?",
    "Hi {first}, a mutual colleague suggested I reach out. Happy to connect!",
    "Hi {first}, I'm growing my network in {city}. Would be great to connect.",
    "Hello {first}, I admire the work your team is doing. Would love to learn more.",
)

# Conversations between connections: the opener's message, then the other's reply, and so
# on. {first} is the first name of the member a message is for, {me} the author's.
CHATS = (
    (
        "Hi {first}, congratulations on the new role! How are the first weeks going?",
        "Thanks {me}! Busy but good. Lots to learn, and the team is great.",
        "Glad to hear it. Let me know if you ever want to swap notes over coffee.",
        "Definitely, I'll message you once things calm down a bit.",
    ),
    (
        "Hey {first}, are you going to the product meetup on Thursday?",
        "I am! Are you presenting this time?",
        "Just a lightning talk on onboarding experiments. Come and say hi afterwards.",
    ),
    (
        "Hi {first}, thanks again for the introduction last week. The call went really well.",
        "Great to hear! They were excited to talk to you too.",
        "I owe you one. Lunch is on me next time you're in town.",
        "I'll hold you to that!",
    ),
    (
        "{first}, quick question: which analytics tool did your team end up choosing?",
        "We went with the open-source one in the end. Happy to show you our setup.",
        "That would be great. Does Friday morning work?",
        "Friday at 10 works. I'll send an invite.",
    ),
    (
        "Hi {first}, I read your post on remote onboarding. The checklist is brilliant.",
        "Thank you, {me}! It took a few painful rounds to get it right.",
        "Would you mind if I shared it with my team?",
        "Not at all, please do.",
    ),
    (
        "Hey {first}, a role just opened on my team and it made me think of you. Want to hear "
        "more?",
        "Thanks for thinking of me! I'm happy where I am, but always curious. What's the role?",
        "Senior, mostly platform work, hybrid. I'll send you the description tonight.",
    ),
    (
        "Hi {first}, happy work anniversary! Five years is impressive.",
        "Ha, thanks {me}! Time flies.",
    ),
    (
        "Hi {first}, do you know a good freelance designer? Ours is booked until the summer.",
        "Yes, I worked with someone excellent last year. I'll ask if she has time.",
        "Thank you, that would save us.",
    ),
)

# InMails as (subject, body), by what they are about. {first} is the recipient's first name.
RECRUITING_INMAILS = (
    (
        "Senior backend role, fully remote in Europe",
        "Hi {first}, I'm hiring backend engineers for the team that owns our payments "
        "platform, and your experience looks like a strong match. Would you be open to a "
        "20-minute call next week?",
    ),
    (
        "Your next step in data engineering?",
        "Hi {first}, your work on data platforms caught my eye. We're rebuilding our pipelines "
        "with a small team that has real ownership from day one. Open to hearing more?",
    ),
    (
        "Head of Product Marketing, confidential search",
        "Hi {first}, I'm leading a confidential search for a Head of Product Marketing at a "
        "Series B SaaS company, and your launch experience stood out. Could we find 15 minutes "
        "to talk this week?",
    ),
)
SALES_INMAILS = (
    (
        "Closing the books in four days instead of ten",
        "Hi {first}, finance teams your size often spend a week reconciling by hand at month "
        "end. We helped a similar team close in four days. Worth a short call to see whether "
        "it applies to you?",
    ),
    (
        "A quick question about your reporting",
        "Hi {first}, congratulations on the growth this year. How is your team handling "
        "consolidated reporting today? If it's still spreadsheets, I'd love to show you a "
        "15-minute demo.",
    ),
)
NETWORKING_INMAILS = (
    (
        "Advice on moving into product management",
        "Hi {first}, I'm a developer thinking about moving into product management, and your "
        "path looks a lot like the one I'd like to take. Would you have 15 minutes for a few "
        "questions?",
    ),
    (
        "Speaking at our founders' meetup",
        "Hi {first}, I run a monthly meetup for founders of remote-first companies. Your posts "
        "on async planning would make a great talk. Would you consider joining us as a "
        "speaker?",
    ),
    (
        "An integration idea",
        "Hi {first}, our products serve the same teams from different angles, and I think an "
        "integration could help both our customers. Open to a quick exploratory call?",
    ),
    (
        "Moving to your city next month",
        "Hi {first}, I'm relocating next month and would love to hear how you found the local "
        "tech scene. Could I buy you a coffee once I've landed?",
    ),
)
RECEIVED_INMAILS = RECRUITING_INMAILS + SALES_INMAILS + NETWORKING_INMAILS
# What each demo account's InMails are about; networking when not listed.
INMAIL_TOPICS = {"recruiter": RECRUITING_INMAILS, "sales": SALES_INMAILS}
# Replies to an InMail by its recipient, and the starter's message after an Interested.
INMAIL_REPLIES = (
    "Thanks for reaching out, {first}. I'd be happy to talk. Does Tuesday afternoon work?",
    "Hi {first}, thanks for the message. I'm not looking right now, but let's stay in touch.",
    "Sounds interesting! Could you send me a little more detail first?",
)
FOLLOW_UPS = (
    "Great, thank you {first}! I'll send a calendar invite for later this week.",
    "Wonderful. Would Thursday at 3 pm work for a first call?",
)

# The InMails each demo account sends, as (to an Open Profile, the recipient's response).
# essentials keeps its 5 credits: its one paid InMail is answered, so the credit comes back.
PENDING = Conversation.Response.PENDING
DEMO_INMAILS = {
    "free": ((True, PENDING),),
    "essentials": ((True, PENDING), (False, Conversation.Response.REPLIED)),
    **{
        key: ((False, Conversation.Response.INTERESTED), (False, PENDING))
        for key in ("pro", "business", "recruiter", "sales")
    },
}
# Candidates for a demo account's correspondents, drawn once per kind: enough for every demo
# account, without walking a crowd of any size.
CANDIDATES = 400
# Conversations between connections happened within this many minutes before seeding.
CHAT_MIN_MINUTES = 3 * 60
CHAT_MAX_MINUTES = 14 * MINUTES_PER_DAY


@dataclass
class Community:
    members: list[int]
    city: str
    companies: tuple[str, ...]
    family: Family
    industry: str


@dataclass
class Profile:
    email: str
    first_name: str
    last_name: str
    headline: str
    location: str
    about: str
    joined: int  # minutes ago
    is_admin: bool = False


@dataclass(frozen=True)
class Subscriber:
    """A generated member's plan, subscribed within the billing month in progress."""

    member: int  # index into profiles
    plan: str  # slug
    started: int  # minutes ago
    # Credits spent since, at most the whole allowance (None: all of it, however many).
    spent: int | None
    cancelled: int | None  # minutes ago, after `started`
    open_profile: bool


@dataclass
class DemoData:
    profiles: list[Profile]
    # Each connection once, (a, b) -> minutes ago, by index into profiles.
    edges: dict[tuple[int, int], int]
    # (sender, recipient, note, minutes ago)
    invitations: list[tuple[int, int, str, int]]
    subscribers: list[Subscriber]
    # Seeds the choices of the demo accounts' conversations, written once everyone exists.
    conversation_seed: int = 0


class Command(BaseCommand):
    help = (
        "Create the demo accounts (password inmail-demo-2026) with their Premium plans and "
        "conversations, realistic members, some of them Premium, connections and pending "
        "invitations. Deterministic for a given --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED})."
        )
        parser.add_argument(
            "--members",
            type=int,
            default=DEFAULT_MEMBERS,
            help=f"Members to generate besides the demo accounts (default {DEFAULT_MEMBERS}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has members (used by `make run`).",
        )

    def handle(self, *args, seed, members, if_empty, **options):
        started = time.perf_counter()
        if members < 0:
            raise CommandError("--members must be zero or more.")
        if if_empty and Member.objects.exists():
            self.stdout.write("The database already has members: no demo data seeded.")
            return
        with transaction.atomic():
            existing = sorted(
                Member.objects.filter(email__in=DEMO_EMAILS).values_list("email", flat=True)
            )
            if existing:
                raise CommandError(
                    f"The demo accounts already exist ({', '.join(existing)}): the database "
                    "was seeded before. Nothing was written. Use --if-empty to skip seeding "
                    "a populated database, or start from an empty one (manage.py flush)."
                )
            plans = demo_plans()
            data = build_demo(seed=seed, members=members)
            conversations = write_demo(
                data, password_hash=make_password(DEMO_PASSWORD), plans=plans
            )
        analyze_tables()
        elapsed = time.perf_counter() - started
        premium = len(data.subscribers) + len(PREMIUM_DEMO_ACCOUNTS)
        open_profiles = sum(subscriber.open_profile for subscriber in data.subscribers)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {len(data.profiles):,} members ({premium:,} Premium, "
                f"{open_profiles:,} of them with an Open Profile), {len(data.edges):,} "
                f"connections, {len(data.invitations):,} invitations, {conversations:,} "
                f"conversations in {elapsed:.1f} s."
            )
        )
        self.stdout.write(f"Sign in as {', '.join(DEMO_EMAILS)} with password {DEMO_PASSWORD}.")


def build_demo(*, seed: int, members: int) -> DemoData:
    """All the demo data as plain Python, from the seed alone: no database access."""
    rng = random.Random(seed)
    profiles = [
        Profile(
            email=account.email,
            first_name=account.first_name,
            last_name=account.last_name,
            headline=account.headline,
            location=account.location,
            about=account.about,
            joined=account.joined_days * MINUTES_PER_DAY,
            is_admin=account.is_admin,
        )
        for account in DEMO_ACCOUNTS
    ]
    communities = _communities(rng, start=len(profiles), count=members)
    for community in communities:
        for _ in community.members:
            profiles.append(_profile(rng, community, number=len(profiles) - len(DEMO_ACCOUNTS) + 1))

    edges: dict[tuple[int, int], int] = {}

    def connect(a: int, b: int) -> bool:
        pair = (a, b) if a < b else (b, a)
        if a == b or pair in edges:
            return False
        limit = min(profiles[a].joined, profiles[b].joined)
        edges[pair] = rng.randrange(60, limit)
        return True

    community_of: dict[int, int] = {}
    for number, community in enumerate(communities):
        size = len(community.members)
        probability = min(1.0, rng.uniform(*INTRA_DEGREE) / max(size - 1, 1))
        for i, a in enumerate(community.members):
            community_of[a] = number
            for b in community.members[i + 1 :]:
                if rng.random() < probability:
                    connect(a, b)
    # Nobody is left without a connection inside their community.
    linked = {index for pair in edges for index in pair}
    for community in communities:
        if len(community.members) > 1:
            for a in community.members:
                if a not in linked:
                    connect(a, rng.choice([b for b in community.members if b != a]))

    anchors = _connect_demo_accounts(rng, communities, connect)

    # A few long links between communities, never from or to a demo account's connection:
    # that keeps the communities a demo account is not in at three hops or more.
    if len(communities) > 1:
        first, last = len(DEMO_ACCOUNTS), len(profiles)
        for a in range(first, last):
            if rng.random() >= LONG_LINK_RATE:
                continue
            b = rng.randrange(first, last)
            if a in anchors or b in anchors or community_of[a] == community_of[b]:
                continue
            connect(a, b)

    invitations = _invitations(rng, profiles, communities, edges)
    # Drawn last, so the plans leave everything above as it was before members had plans.
    subscribers = _subscribers(rng, generated=range(len(DEMO_ACCOUNTS), len(profiles)))
    return DemoData(
        profiles=profiles,
        edges=edges,
        invitations=invitations,
        subscribers=subscribers,
        conversation_seed=rng.getrandbits(32),
    )


def _subscribers(rng: random.Random, *, generated: range) -> list[Subscriber]:
    members = sorted(rng.sample(generated, round(len(generated) * PREMIUM_SHARE)))
    # Shares rather than independent draws, so that even a small crowd has the mix.
    shares = _apportion(PLAN_WEIGHTS, len(members))
    plans = [slug for slug, count in shares.items() for _ in range(count)]
    rng.shuffle(plans)
    open_profiles = set(rng.sample(members, _share(OPEN_PROFILE_RATE, len(members))))
    cancelled = set(rng.sample(members, _share(CANCELLED_RATE, len(members))))
    subscribers = []
    for member, plan in zip(members, plans, strict=True):
        started = rng.randrange(60, SUBSCRIBED_MAX_DAYS * MINUTES_PER_DAY)
        draw = rng.random()
        # Many have not written an InMail yet, a few have used their whole allowance.
        spent = 0 if draw < 0.45 else None if draw >= 0.9 else rng.randint(1, 3)
        subscribers.append(
            Subscriber(
                member=member,
                plan=plan,
                started=started,
                spent=spent,
                cancelled=rng.randrange(1, started) if member in cancelled else None,
                open_profile=member in open_profiles,
            )
        )
    return subscribers


def _share(rate: float, total: int) -> int:
    """`rate` of `total`, and at least one of any."""
    return max(1, round(rate * total)) if total else 0


def _apportion(weights: dict[str, int], total: int) -> dict[str, int]:
    """`total` split in proportion to `weights`, the largest remainders rounded up."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: int(share) for key, share in exact.items()}
    by_remainder = sorted(exact, key=lambda key: counts[key] - exact[key])
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _communities(rng: random.Random, *, start: int, count: int) -> list[Community]:
    if count == 0:
        return []
    number = max(1, round(count / COMMUNITY_SIZE))
    if count >= 24:
        number = max(number, 3)  # demo accounts need communities they are not in
    weights = [rng.uniform(0.75, 1.25) for _ in range(number)]
    total = sum(weights)
    communities, cumulative, begin = [], 0.0, 0
    for weight in weights:
        cumulative += weight
        end = round(count * cumulative / total)
        communities.append(
            Community(
                members=list(range(start + begin, start + end)),
                city=rng.choice(LOCATIONS),
                companies=tuple(rng.sample(COMPANIES, 3)),
                family=rng.choice(FAMILIES),
                industry=rng.choice(INDUSTRIES),
            )
        )
        begin = end
    return [community for community in communities if community.members]


def _profile(rng: random.Random, community: Community, *, number: int) -> Profile:
    first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    location = community.city if rng.random() < 0.65 else rng.choice(LOCATIONS)
    family = community.family if rng.random() < 0.5 else rng.choice(FAMILIES)
    if family.companies:
        company = rng.choice(family.companies)
    elif rng.random() < 0.6:
        company = rng.choice(community.companies)
    else:
        company = rng.choice(COMPANIES)
    if family.industries:
        industry = rng.choice(family.industries)
    elif rng.random() < 0.7:
        industry = community.industry
    else:
        industry = rng.choice(INDUSTRIES)
    work = rng.choice(family.work)
    shape = rng.random()
    if shape < 0.03:
        role, years = rng.choice(("Founder", "Co-founder", "Founder & CEO")), rng.randint(6, 25)
        work = "get to build the company from the ground up"
    elif rng.random() < 0.08:
        role, years = rng.choice(family.leads), rng.randint(10, 25)
    else:
        role = rng.choice(family.roles)
        prefix, fits, (low, high) = rng.choice(SENIORITY)
        if fits is None or role.rsplit(" ", 1)[-1] in fits:
            role = prefix + role
        else:
            low, high = 2, 9
        years = rng.randint(low, high)

    if shape < 0.45:
        headline = f"{role} at {company}"
    elif shape < 0.60:
        headline = f"{role} · {industry}"
    elif shape < 0.75:
        skill_a, skill_b = rng.sample(family.skills, 2)
        headline = f"{role} at {company} | {skill_a} · {skill_b}"
    elif shape < 0.85:
        headline = f"{role} | {industry} | Ex-{rng.choice(COMPANIES)}"
    elif shape < 0.96:
        headline = f"{rng.choice(family.missions)} | {role} at {company}"
    else:
        headline = f"Open to work · {role}"

    about = ""
    if rng.random() < 0.4:
        skill_a, skill_b = rng.sample(family.skills, 2)
        sentences = [
            f"{role} with {years} years of experience in {industry}.",
            f"Currently at {company}, where I {work}.",
            f"I care about {skill_a} and {skill_b}, and I'm based in {location.split(',')[0]}.",
        ]
        if rng.random() < 0.5:
            sentences.append(f"Outside work: {rng.choice(HOBBIES)}.")
        about = " ".join(sentences)

    local = f"{slugify(first_name)}.{slugify(last_name)}".replace("-", "")
    return Profile(
        email=f"{local}.{number}@example.net",
        first_name=first_name,
        last_name=last_name,
        headline=headline,
        location=location,
        about=about,
        joined=rng.randrange(JOINED_MIN_DAYS * MINUTES_PER_DAY, JOINED_MAX_DAYS * MINUTES_PER_DAY),
    )


def _connect_demo_accounts(rng: random.Random, communities: list[Community], connect) -> set[int]:
    """Connect each demo account to members of its communities; return those members."""
    anchors: set[int] = set()
    index = {account.key: i for i, account in enumerate(DEMO_ACCOUNTS)}
    order = rng.sample(range(len(communities)), len(communities))
    reach: dict[str, set[int]] = {}
    for i, account in enumerate(DEMO_ACCOUNTS):
        spread = account.communities if len(communities) >= 8 else 1
        picked = [order[(i + 3 * j) % len(order)] for j in range(spread)] if order else []
        reach[account.key] = set(picked)
        for j, number in enumerate(picked):
            members = communities[number].members
            wanted = account.connections // spread + (j < account.connections % spread)
            wanted = min(wanted, max(1, len(members) // 2))
            for member in rng.sample(members, wanted):
                connect(i, member)
                anchors.add(member)

    # Linked demo accounts see each other's communities at two hops: keep one out of reach.
    two_hops = {key: set(numbers) for key, numbers in reach.items()}
    for a, b in DEMO_LINKS:
        union_a, union_b = two_hops[a] | reach[b], two_hops[b] | reach[a]
        if len(union_a) < len(communities) and len(union_b) < len(communities):
            connect(index[a], index[b])
            two_hops[a], two_hops[b] = union_a, union_b
    return anchors


def _invitations(
    rng: random.Random,
    profiles: list[Profile],
    communities: list[Community],
    edges: dict[tuple[int, int], int],
) -> list[tuple[int, int, str, int]]:
    invitations: list[tuple[int, int, str, int]] = []
    pairs: set[tuple[int, int]] = set()

    def invite(sender: int, recipient: int, note_chance: float = 0.5) -> bool:
        pair = (sender, recipient) if sender < recipient else (recipient, sender)
        if sender == recipient or pair in edges or pair in pairs:
            return False
        pairs.add(pair)
        note = ""
        if rng.random() < note_chance:
            to = profiles[recipient]
            note = rng.choice(NOTES).format(first=to.first_name, city=to.location.split(",")[0])
        invitations.append(
            (sender, recipient, note, rng.randrange(10, INVITATION_MAX_AGE_DAYS * MINUTES_PER_DAY))
        )
        return True

    generated = [member for community in communities for member in community.members]
    if not generated:
        return invitations
    community_members = {m: c.members for c in communities for m in c.members}

    # Each demo account receives invitations from and sends some to members it is not
    # connected with: mostly people near it in the graph, one from further away.
    demo_neighbours = _demo_connections(edges)
    for i, account in enumerate(DEMO_ACCOUNTS):
        near = sorted(
            {
                member
                for neighbour in demo_neighbours[i]
                if neighbour in community_members
                for member in community_members[neighbour]
            }
            - demo_neighbours[i]
        )
        for count, sending in ((account.received, False), (account.sent, True)):
            for number in range(count):
                pool = near if near and number < count - 1 else generated
                for _ in range(20):  # a few tries to find a member with no invitation yet
                    other = rng.choice(pool)
                    if invite(i, other) if sending else invite(other, i, note_chance=0.6):
                        break

    index = {account.key: i for i, account in enumerate(DEMO_ACCOUNTS)}
    for sender, recipient in DEMO_INVITATIONS:
        invite(index[sender], index[recipient], note_chance=1.0)

    for _ in range(round(len(generated) * INVITATION_RATE)):
        sender = rng.choice(generated)
        if rng.random() < 0.7:
            recipient = rng.choice(community_members[sender])
        else:
            recipient = rng.choice(generated)
        invite(sender, recipient)
    return invitations


def write_demo(data: DemoData, *, password_hash: str, plans: dict[str, Plan]) -> int:
    """Insert the demo data with a handful of bulk queries per 5,000 rows, then write the demo
    accounts' conversations through the services; return how many conversations."""
    now = timezone.now()
    used_slugs = set(Member.objects.values_list("slug", flat=True))
    used_emails = set(
        Member.objects.filter(email__endswith="@example.net").values_list("email", flat=True)
    )
    slug_counters: dict[str, int] = {}

    def slug_for(profile: Profile) -> str:
        base = slug_base(profile.first_name, profile.last_name)
        counter = slug_counters.get(base, 1)
        candidate = base if counter == 1 else f"{base}-{counter}"
        while candidate in used_slugs:
            counter += 1
            candidate = f"{base}-{counter}"
        slug_counters[base] = counter + 1
        used_slugs.add(candidate)
        return candidate

    def email_for(profile: Profile) -> str:
        email, extra = profile.email, 1
        while email in used_emails:  # only on a database seeded before, by hand or otherwise
            extra += 1
            email = profile.email.replace("@", f"-{extra}@")
        used_emails.add(email)
        return email

    open_profiles = {each.member for each in data.subscribers if each.open_profile}
    pks: list[int] = []
    for chunk in batched(enumerate(data.profiles), BATCH_SIZE):
        members = [
            Member(
                email=email_for(profile),
                first_name=profile.first_name,
                last_name=profile.last_name,
                headline=profile.headline,
                location=profile.location,
                about=profile.about,
                slug=slug_for(profile),
                password=password_hash,
                is_staff=profile.is_admin,
                is_superuser=profile.is_admin,
                date_joined=now - timedelta(minutes=profile.joined),
                open_profile=number in open_profiles,
            )
            for number, profile in chunk
        ]
        Member.objects.bulk_create(members, batch_size=BATCH_SIZE)
        if any(member.pk is None for member in members):
            # Databases that cannot return ids from a bulk insert: one query per batch.
            ids = dict(
                Member.objects.filter(email__in=[m.email for m in members]).values_list(
                    "email", "pk"
                )
            )
            pks.extend(ids[member.email] for member in members)
        else:
            pks.extend(member.pk for member in members)

    for chunk in batched(data.edges.items(), BATCH_SIZE // 2):
        connections = []
        for (a, b), minutes in chunk:
            created_at = now - timedelta(minutes=minutes)
            connections.append(Connection(member_id=pks[a], other_id=pks[b], created_at=created_at))
            connections.append(Connection(member_id=pks[b], other_id=pks[a], created_at=created_at))
        Connection.objects.bulk_create(connections, batch_size=BATCH_SIZE)

    for chunk in batched(data.invitations, BATCH_SIZE):
        Invitation.objects.bulk_create(
            [
                Invitation(
                    sender_id=pks[sender],
                    recipient_id=pks[recipient],
                    note=note,
                    created_at=now - timedelta(minutes=minutes),
                )
                for sender, recipient, note, minutes in chunk
            ],
            batch_size=BATCH_SIZE,
        )

    for chunk in batched(data.subscribers, BATCH_SIZE):
        _write_subscribers(chunk, pks=pks, plans=plans, now=now)
    _subscribe_demo_accounts(pks, plans)
    return _DemoConversations(data, pks).write()


def demo_plans() -> dict[str, Plan]:
    """The plans of the demo data by slug; refused, before anything is written, if one is gone."""
    wanted = set(PLAN_WEIGHTS) | {account.plan for account in PREMIUM_DEMO_ACCOUNTS}
    plans = Plan.objects.in_bulk(wanted, field_name="slug")
    if missing := sorted(wanted - set(plans)):
        raise CommandError(
            f"The plans {', '.join(missing)} are missing: the migrations create them "
            "(manage.py migrate). Nothing was written."
        )
    return plans


def _write_subscribers(
    subscribers: tuple[Subscriber, ...], *, pks: list[int], plans: dict[str, Plan], now
) -> None:
    """Each subscription with its first allowance and the credits spent from it since.

    The rows are those `premium.services` writes for a member who subscribed and then spent
    credits one at a time: one lot keyed by (subscription, month 0) expiring 90 days after it
    was granted, a grant entry and a spend entry per credit, each with the running balance.
    """
    subscriptions, lots = [], []
    for subscriber in subscribers:
        started_at = now - timedelta(minutes=subscriber.started)
        cancelled_at = None
        if subscriber.cancelled is not None:
            cancelled_at = now - timedelta(minutes=subscriber.cancelled)
        plan = plans[subscriber.plan]
        subscription = Subscription(
            member_id=pks[subscriber.member],
            plan=plan,
            status=Subscription.Status.CANCELLED if cancelled_at else Subscription.Status.ACTIVE,
            started_at=started_at,
            period_start=started_at,
            period_end=add_months(started_at, 1),
            cancelled_at=cancelled_at,
        )
        subscriptions.append(subscription)
        # A first allowance is never capped: the cap is at least a month's credits.
        spent = plan.monthly_credits
        if subscriber.spent is not None:
            spent = min(subscriber.spent, spent)
        lots.append(
            CreditGrant(
                member_id=subscription.member_id,
                subscription=subscription,
                kind=CreditGrant.Kind.MONTHLY,
                billing_month=0,
                amount=plan.monthly_credits,
                remaining=plan.monthly_credits - spent,
                granted_at=started_at,
                expires_at=started_at + CREDIT_LIFETIME,
            )
        )
    _bulk_create_one_per_member(Subscription, subscriptions)
    _bulk_create_one_per_member(CreditGrant, lots)

    entries = []
    for subscriber, lot in zip(subscribers, lots, strict=True):
        entries.append(
            LedgerEntry(
                member_id=lot.member_id,
                grant=lot,
                amount=lot.amount,
                reason=LedgerEntry.Reason.GRANT,
                note=lot.subscription.plan.name,
                created_at=lot.granted_at,
                balance_after=lot.amount,
            )
        )
        spent = lot.amount - lot.remaining
        for number in range(1, spent + 1):
            # Spread evenly between the subscription's start and now, oldest first.
            ago = subscriber.started * (spent + 1 - number) / (spent + 1)
            entries.append(
                LedgerEntry(
                    member_id=lot.member_id,
                    grant=lot,
                    amount=-1,
                    reason=LedgerEntry.Reason.SPEND,
                    actor_id=lot.member_id,
                    created_at=now - timedelta(minutes=ago),
                    balance_after=lot.amount - number,
                )
            )
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def _bulk_create_one_per_member(model, rows: list) -> None:
    model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if any(row.pk is None for row in rows):
        # Databases that cannot return ids from a bulk insert. These members are new, so
        # each has exactly one row of the model.
        ids = dict(
            model.objects.filter(member_id__in=[row.member_id for row in rows]).values_list(
                "member_id", "pk"
            )
        )
        for row in rows:
            row.pk = ids[row.member_id]


def _subscribe_demo_accounts(pks: list[int], plans: dict[str, Plan]) -> None:
    """The demo accounts subscribe as members do: exactly one month's credits, starting now."""
    index = {account.email: pks[i] for i, account in enumerate(DEMO_ACCOUNTS)}
    members = Member.objects.in_bulk([index[account.email] for account in PREMIUM_DEMO_ACCOUNTS])
    for account in PREMIUM_DEMO_ACCOUNTS:
        try:
            premium_services.subscription_start(
                member=members[index[account.email]], plan=plans[account.plan]
            )
        except DomainError as error:  # a plan that staff made inactive, say
            raise CommandError(f"{account.email}: {error} Nothing was written.") from error


class _Candidates:
    """Up to CANDIDATES members drawn once, in random order, offered in turn: whoever fits is
    taken and the next request starts after them, so that the demo accounts' correspondents
    differ while there are enough, and repeat only in a small crowd."""

    def __init__(self, rng: random.Random, members):
        self.members = rng.sample(members, min(CANDIDATES, len(members)))
        self.next = 0

    def take(self, fits) -> int | None:
        count = len(self.members)
        for step in range(count):
            position = (self.next + step) % count
            if fits(self.members[position]):
                self.next = (position + 1) % count
                return self.members[position]
        return None


class _DemoConversations:
    """The demo accounts' conversations, written through `inmail.services` (see the module's
    docstring). Members are numbered as in `DemoData.profiles`; the choices come from the
    data's conversation seed and, for who may write to whom, from the services themselves, so
    a seed gives the same conversations every time."""

    def __init__(self, data: DemoData, pks: list[int]):
        self.data, self.pks = data, pks
        self.rng = random.Random(data.conversation_seed)
        demo = len(DEMO_ACCOUNTS)
        ids = Member.objects.in_bulk(pks[:demo])
        self.members: dict[int, Member] = {number: ids[pks[number]] for number in range(demo)}
        self.first = _demo_connections(data.edges)
        self.near = _two_hops(data.edges, self.first)
        self.pairs: set[tuple[int, int]] = set()
        # Conversations between connections, to move back in time: (connected, messages).
        self.chats: list[tuple[int, list[Message]]] = []

    def write(self) -> int:
        if len(self.data.profiles) == len(DEMO_ACCOUNTS):
            return 0
        rng, subscribers = self.rng, self.data.subscribers
        # InMails come from Premium members who already write them (their history shows
        # credits spent), so that the crowd keeps members who have not written one yet.
        senders = _Candidates(rng, [each.member for each in subscribers if each.spent])
        open_profiles = _Candidates(rng, [each.member for each in subscribers if each.open_profile])
        strangers = _Candidates(rng, range(len(DEMO_ACCOUNTS), len(self.data.profiles)))
        for number, account in enumerate(DEMO_ACCOUNTS):
            self._chat_with_connections(number)
            self._receive_inmails(number, senders)
            topic = INMAIL_TOPICS.get(account.key, NETWORKING_INMAILS)
            inmails = DEMO_INMAILS.get(account.key, ())
            for (open_profile, response), (subject, body) in zip(
                inmails, rng.sample(topic, len(inmails)), strict=True
            ):
                pool = open_profiles if open_profile else strangers
                self._send_inmail(number, pool, open_profile, response, subject, body)
        self._move_chats_back()
        return len(self.pairs)

    def member(self, number: int) -> Member:
        if number not in self.members:
            self.members[number] = Member.objects.get(pk=self.pks[number])
        return self.members[number]

    def send(self, author: int, to: int, body: str, subject: str = "") -> Message:
        sender, recipient = self.member(author), self.member(to)
        self.pairs.add((min(author, to), max(author, to)))
        return inmail_services.message_send(
            sender=sender,
            recipient=recipient,
            body=body.format(first=recipient.first_name, me=sender.first_name),
            subject=subject,
            notify=False,  # the demo addresses are made up
        )

    def is_new_pair(self, a: int, b: int) -> bool:
        return (min(a, b), max(a, b)) not in self.pairs

    def compose(self, sender: int, recipient: int) -> inmail_services.Compose:
        return inmail_services.compose_options(
            sender=self.member(sender), recipient=self.member(recipient)
        )

    def _chat_with_connections(self, number: int) -> None:
        rng = self.rng
        friends = sorted(other for other in self.first[number] if other >= len(DEMO_ACCOUNTS))
        friends = rng.sample(friends, min(len(friends), rng.randint(2, 3)))
        for friend, script in zip(friends, rng.sample(CHATS, len(friends)), strict=True):
            # Some are a single message still waiting for its reply.
            length = 1 if rng.random() < 0.2 else rng.randint(2, len(script))
            authors = (number, friend) if rng.random() < 0.5 else (friend, number)
            sent = [
                self.send(authors[turn % 2], authors[(turn + 1) % 2], script[turn])
                for turn in range(length)
            ]
            self.chats.append((self.data.edges[min(number, friend), max(number, friend)], sent))

    def _receive_inmails(self, number: int, senders: _Candidates) -> None:
        """An InMail from a Premium member the account answered, then one still unread."""

        def fits(sender: int) -> bool:
            # A connection's message is not an InMail; compose_options checks the credits.
            return (
                sender not in self.first[number]
                and self.is_new_pair(sender, number)
                and self.compose(sender, number).is_inmail
            )

        for answered in (True, False):
            sender = senders.take(fits)
            if sender is None:
                return
            subject, body = self.rng.choice(RECEIVED_INMAILS)
            message = self.send(sender, number, body, subject)
            if not answered:
                continue
            if self.rng.random() < 0.7:
                self.send(number, sender, self.rng.choice(INMAIL_REPLIES))
            else:
                inmail_services.inmail_answer(
                    member=self.member(number),
                    conversation_id=message.conversation_id,
                    interested=False,
                )

    def _send_inmail(
        self,
        number: int,
        pool: _Candidates,
        open_profile: bool,
        response: str,
        subject: str,
        body: str,
    ) -> None:
        """A free InMail to an Open Profile (not a connection), or a paid one to a 3rd+ member."""

        def fits(recipient: int) -> bool:
            if recipient in (self.first[number] if open_profile else self.near[number]):
                return False
            if not self.is_new_pair(number, recipient):
                return False
            compose = self.compose(number, recipient)
            return compose.is_inmail and compose.open_profile == open_profile

        recipient = pool.take(fits)
        if recipient is None:
            return
        message = self.send(number, recipient, body, subject)
        if response == Conversation.Response.INTERESTED:
            inmail_services.inmail_answer(
                member=self.member(recipient),
                conversation_id=message.conversation_id,
                interested=True,
            )
            if self.rng.random() < 0.5:
                self.send(number, recipient, self.rng.choice(FOLLOW_UPS))
        elif response == Conversation.Response.REPLIED:
            self.send(recipient, number, self.rng.choice(INMAIL_REPLIES))

    def _move_chats_back(self) -> None:
        """Spread the conversations between connections over the last two weeks, each after
        its connection, its messages minutes to hours apart, oldest first as they were sent."""
        now = timezone.now()
        messages, starts, lasts = [], {}, {}
        for connected, sent in self.chats:
            low = min(CHAT_MIN_MINUTES, connected - 1)
            ago = self.rng.randrange(low, max(low + 1, min(connected, CHAT_MAX_MINUTES)))
            for message in sent:
                message.created_at = now - timedelta(minutes=ago)
                ago = max(ago // 2, ago - self.rng.randint(3, 5 * 60))
                messages.append(message)
            starts[sent[0].conversation_id] = sent[0].created_at
            lasts[sent[-1].conversation_id] = sent[-1].created_at
        Message.objects.bulk_update(messages, ["created_at"], batch_size=BATCH_SIZE)
        conversations = list(Conversation.objects.filter(pk__in=starts))
        for conversation in conversations:
            conversation.created_at = starts[conversation.pk]
        Conversation.objects.bulk_update(conversations, ["created_at"])
        participants = list(Participant.objects.filter(conversation_id__in=lasts))
        for participant in participants:
            participant.last_message_at = lasts[participant.conversation_id]
        Participant.objects.bulk_update(participants, ["last_message_at"])


def _demo_connections(edges: dict[tuple[int, int], int]) -> list[set[int]]:
    """Each demo account's connections, by its number."""
    first: list[set[int]] = [set() for _ in DEMO_ACCOUNTS]
    for a, b in edges:  # a < b: only a can be a demo account when b is not
        if a < len(DEMO_ACCOUNTS):
            first[a].add(b)
            if b < len(DEMO_ACCOUNTS):
                first[b].add(a)
    return first


def _two_hops(edges: dict[tuple[int, int], int], first: list[set[int]]) -> list[set[int]]:
    """Everyone within two hops of each demo account (itself too), from its connections."""
    around: dict[int, set[int]] = {member: set() for connections in first for member in connections}
    for a, b in edges:
        if a in around:
            around[a].add(b)
        if b in around:
            around[b].add(a)
    return [
        {number}.union(connections, *(around[member] for member in connections))
        for number, connections in enumerate(first)
    ]


def analyze_tables() -> None:
    """Refresh the planner statistics of the tables just filled.

    Without them PostgreSQL plans the degree subqueries of a freshly seeded graph as if the
    tables were nearly empty (sequential scans per row) until autovacuum gets to them.
    """
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    with connection.cursor() as cursor:
        for model in (Member, Connection, Invitation, Subscription, CreditGrant, LedgerEntry):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
