# Seeded, so that both runs of a script draw the same numbers.
from urandom import *  # noqa: F401,F403
import urandom

urandom.seed(1234)
