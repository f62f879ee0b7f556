"""Every write to networks and memberships. `check_*` validate, `do_*` write, audit and notify.

Views, the admin, management commands and consumers call these; nothing else
writes Network, Membership, Invitation or AuditEntry rows. Split by topic, and
callers import the module they need: `networks` (creating and editing networks),
`membership` (joining, leaving and moderating members), `grants` (owners granting
and withdrawing single permissions of a member), `invitations` (inviting by link or
address, and checking an invitation at join), and `common` (the audit trail and the
membership-row helpers the others share).
"""
