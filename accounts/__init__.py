"""Accounts: API tokens per device (django-rest-knox), sign-out, the account page.

Registration still lives in community.accounts; this app owns the credentials a
person signs in with and what happens when one ends (docs/websocket.md, 4403).
"""
