"""Limits of the video domain shared by the services, the Studio rescan and the XBlock.

One definition each, so that the block, the rescan and the check of authored facts cannot
drift apart. Plain numbers only (no Django): the XBlock imports this module when it loads.
The longest video is the watch rules' own `rules.watch.MAX_DURATION_SECONDS`.
"""

# The block serves at most this playback rate whatever is authored; the rescan caps an
# authored rate to it, and an authored fact above it is refused.
MAX_RATE_LIMIT = 2.0
# The lowest maximum playback rate an author may set.
MIN_RATE_LIMIT = 0.25
# Rows per statement of the bulk reads and writes (learning time, completions, the rescan).
CHUNK_SIZE = 500
