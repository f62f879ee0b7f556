"""Accounts: registration, sign-in and sign-out, API tokens per device (django-rest-knox),
the interface language, and the account pages.

An account is Django's user with its AccountKey (one account per username look-alike
and per email, accounts.identity) and its directory profile, made by
accounts.actions.do_register_user behind the sign-up budget (accounts.signup). This
app owns the credentials a person signs in with and what happens when one ends
(docs/websocket.md, 4403).
"""
