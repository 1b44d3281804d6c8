"""What every app may use: the domain errors services raise (`core.errors`), their one mapping
to HTTP statuses and the pages that show them (`core.http`), and admin mixins (`core.admin`);
the middleware every request passes (`core.middleware`: /healthz, private pages never cached,
NUL bytes refused, the signed-in member read with the session) and the 500/503 pages
(`core.views`); the sessions, each naming its member (`core.sessions`, `core.models`); the
rate limits (`core.limits`), what the shared cache keeps until a change forgets it
(`core.shared_cache`) and the rules for what members write (`core.validators`).

core imports nothing from the project's apps (accounts, premium, inmail, demo): it is the
bottom layer, so any of them may import it.
"""
