"""Messaging: conversations, messages and InMail, the rules of who may write to whom, the
inbox, threads, the compose window and the emails about new InMail.

May import: premium, accounts, core. Never demo.
"""
