"""What every app may use: the domain errors services raise (`core.errors`), their one mapping
to HTTP statuses and the pages that show them (`core.http`), and admin mixins (`core.admin`);
the middleware every request passes (`core.middleware`: /healthz, private pages never cached,
NUL bytes refused) and the 500/503 pages (`core.views`); the rate limits (`core.limits`) and the
rules for what members write (`core.validators`).

core imports nothing from the project's apps (accounts, premium, inmail, demo): it is the
bottom layer, so any of them may import it.
"""
