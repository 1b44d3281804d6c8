"""Members and their network: sign-up and sign-in, profiles, connections and invitations,
degrees (1st, 2nd, 3rd+), blocks, and the settings a member controls.

May import: core. Never premium, inmail or demo: the apps above reach member lists through
`accounts.selectors.register_member_annotation` (premium adds the Premium badge that way), and
accounts' templates include no template of theirs (member rows are components/members.html).
"""
