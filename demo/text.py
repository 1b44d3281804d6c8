"""The demo's words: the demo accounts, the names, places, employers and roles the generated
members are made of, and what everyone writes (invitation notes, chats, InMails, replies).

Only data: the graph (`demo.graph`) and the conversations (`demo.conversations`) draw from it.
"""

from dataclasses import dataclass

DEMO_PASSWORD = "inmail-demo-2026"


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
