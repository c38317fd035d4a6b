"""The standalone site as the browser tests run it: the dev site's settings on a fresh SQLite."""

from conf.devsite.settings import *  # noqa: F403

DEBUG = True
