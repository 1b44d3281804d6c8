"""The demo data of the whole site: `manage.py seed_demo` and what it is made of.

It owns no models and no tables. It is the top layer: it may import every app (accounts,
premium, inmail) and writes their rows only through their services and bulk writers
(`<app>/bulk.py`); no app imports it.

    text.py           the words: demo accounts, names, places, roles, notes, chats, InMails
    graph.py          the member graph and invitations, pure functions of the seed
    premium.py        who is Premium on which plan, and their credits
    conversations.py  the demo accounts' conversations and InMails
    seed.py           all of it in one transaction
"""
