"""Demo data for `manage.py seed_demo`. See `community.seed.base` for how apps add steps.

Importing this package registers the community steps: people, networks, memberships.
"""

from community.seed import networks, people
from community.seed.base import DEMO_PASSWORD, SeedContext, SeedStep, registered_steps, seed_step

__all__ = [
    "DEMO_PASSWORD",
    "SeedContext",
    "SeedStep",
    "networks",
    "people",
    "registered_steps",
    "seed_step",
]
