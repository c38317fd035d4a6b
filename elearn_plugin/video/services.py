"""The video domain's API: sessions, verified progress, completions (P-17, P-4).

Other packages, the views, the XBlock, the jobs and the tests import the domain from here;
the code lives in one module per concern, and only those modules write the video models:

- `videos`: the authored record of each block and the media-duration evidence;
- `sessions`: watch sessions and their grants; `tokens`: the signed watch token;
- `reports`: accepting one report (on `progress_cache` and `fast_report_sql`);
- `completion`: the completion record; `learning_time`: learning time from watching;
- `sharing`: account-sharing evidence; `readers`: completions and a learner's state;
- `builtin_scan`: built-in videos in required courses; `checks`: the shared refusals;
- `errors`, `specs`, `constants`: the error, the values and the limits they share.

A report is decided by `elearn_plugin.rules.watch` against the stored progress and the
server clock; an accepted report costs two statements (a plain read, a versioned update,
retried once when another report of the learner won the race). Learning time is written per
session when it is superseded or completes, or by the flush job (ADR 0004).
"""

from elearn_plugin.video.builtin_scan import replace_builtin_findings, scan_builtin_videos
from elearn_plugin.video.constants import CHUNK_SIZE
from elearn_plugin.video.errors import MESSAGES, WatchError
from elearn_plugin.video.learning_time import flush_learning_time
from elearn_plugin.video.readers import completed_blocks, completion_of, learner_state
from elearn_plugin.video.reports import ReportResult, accept_report
from elearn_plugin.video.sessions import (
    SessionGrant,
    open_session,
    start_session,
    start_session_for_block,
)
from elearn_plugin.video.sharing import record_sharing_suspicion
from elearn_plugin.video.specs import ClientInfo, VideoSpec
from elearn_plugin.video.tokens import TokenData, read_token
from elearn_plugin.video.videos import (
    MEDIA_DURATION_QUORUM,
    clean_video_spec,
    record_fields,
    record_media_duration,
    register_video,
)

__all__ = [
    "CHUNK_SIZE",
    "MEDIA_DURATION_QUORUM",
    "MESSAGES",
    "ClientInfo",
    "ReportResult",
    "SessionGrant",
    "TokenData",
    "VideoSpec",
    "WatchError",
    "accept_report",
    "clean_video_spec",
    "completed_blocks",
    "completion_of",
    "flush_learning_time",
    "learner_state",
    "open_session",
    "read_token",
    "record_fields",
    "record_media_duration",
    "record_sharing_suspicion",
    "register_video",
    "replace_builtin_findings",
    "scan_builtin_videos",
    "start_session",
    "start_session_for_block",
]
