"""Accounts: registration, sign-in and sign-out, API tokens per device (django-rest-knox),
the interface language, and the account pages.

An account is Django's user with its AccountKey (one account per username look-alike
and per email, accounts.identity) and its directory profile, made by
accounts.actions.do_register_user behind the sign-up budget (accounts.signup). This
app owns the credentials a person signs in with and what happens when one ends
(docs/websocket.md, 4403).

Recovery and proof of an address (accounts.recovery, accounts.links, accounts.mail):
password reset, email verification at registration and on a change of address, and
the note to the owner of an address someone registered with. Their links are Django's
password-reset token generator, one subclass per kind.
"""
