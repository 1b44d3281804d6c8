"""Premium: plans, subscriptions, InMail credit lots and their ledger, My Premium, Open Profile,
the admin's tier management and `grant_credits`.

May import: accounts, core. Never inmail or demo: an InMail spends a credit and gets it back
through premium's services, which inmail calls.
"""
