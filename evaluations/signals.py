"""The one signal evaluations sends to higher apps (CONVENTIONS: Layers).

`recognition_changed` is sent on commit, after any transaction that records a decision,
finalises a round (products forwarded to the national council count as candidates),
issues, supersedes, expires or revokes a certificate. Keyword arguments:
`province_id` (int) and `year` (int, the year whose numbers changed). Receivers must be
cheap: plans connects a receiver that enqueues a progress job by ids.
"""

from django.dispatch import Signal

recognition_changed = Signal()
