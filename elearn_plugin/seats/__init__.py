"""Seats (P-2, P-7): how many accounts the organisation, or a subsidiary, has bought.

A `SeatPool` on a unit limits the active people of its subtree; a pool inside another is an
allocation from it. Used seats are computed from the people's status, never stored, so a
departure frees its seat at once. `queries` reads (a leaf: provisioning and loading use its
`check_room`), `services` writes, `admin` and `manage.py elearn_seats` are HR's pages.
"""
