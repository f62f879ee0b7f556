"""The test suite's settings, named by the pytest configuration in pyproject.toml.

config/settings.py with SHABAKA_TESTING on, unless the environment already says: fast
password hashing, throttles and budgets wide open (tests that exercise one lower it),
search drained by the tests rather than by an inline worker, and the test client's
address as SITE_URL. The variable is set in the environment, not here after the
import, because settings.py derives those values from it as it loads; a process that
a test starts (daphne, manage.py) sets SHABAKA_TESTING itself.
"""

import os

os.environ.setdefault("SHABAKA_TESTING", "1")

from config.settings import *  # noqa: F403
