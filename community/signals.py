"""What other apps may react to in the life of a membership, sent by community's actions
inside their transaction (so a receiver's writes commit or roll back with the change).

`membership_ended(membership)`: an active membership stopped being active — the member
left, was removed or banned. The meetings app drops their RSVPs to what is to come.
"""

from django.dispatch import Signal

membership_ended = Signal()
