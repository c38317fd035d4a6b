"""Models of the video domain: watch sessions, verified progress and completions (P-17, P-4).

Rows are written only through `elearn_plugin.video.services`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_MAX_LENGTH = 255


class TrackedVideo(models.Model):
    """What the server knows about a tracked video block: its authored duration and rate.

    Written when a session is issued from the block, so that a plain endpoint (mobile apps)
    can issue sessions without loading the block, and so that the course team sees when the
    media's own duration disagrees with the authored one.

    .. no_pii: Block keys, titles and durations.
    """

    block_key = models.CharField(_("block key"), max_length=KEY_MAX_LENGTH, unique=True)
    course_key = models.CharField(_("course key"), max_length=KEY_MAX_LENGTH, db_index=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    duration = models.FloatField(_("authored duration (seconds)"))
    max_rate = models.FloatField(_("maximum playback rate"), default=1.0)
    credited_seconds = models.PositiveIntegerField(_("credited learning time (seconds)"), default=0)
    # The duration several learners' media agreed on (never one learner's claim).
    media_duration = models.FloatField(_("duration reported by the media"), null=True, blank=True)
    duration_mismatch = models.BooleanField(_("duration mismatch"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("tracked video")
        verbose_name_plural = _("tracked videos")

    def __str__(self) -> str:
        return self.block_key


class MediaDurationObservation(models.Model):
    """One learner's observation of a tracked video's media duration (evidence only, P-17).

    A learner's browser reports what its media element says; one observation never changes
    the course team's record (`TrackedVideo`), only the agreement of several learners does.

    .. pii: The reporting learner's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    block_key = models.CharField(_("block key"), max_length=KEY_MAX_LENGTH)
    duration = models.FloatField(_("media duration (seconds)"))
    observed_at = models.DateTimeField(_("observed at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("media duration observation")
        verbose_name_plural = _("media duration observations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "block_key"], name="elearn_mediaobservation_uniq"
            )
        ]
        indexes = [models.Index(fields=["block_key", "observed_at"])]

    def __str__(self) -> str:
        return f"media duration {self.block_key}"


class WatchSession(models.Model):
    """One player session issued by the server for a learner and a block.

    .. pii: The learner's user id, IP address and hashes of the user agent and browser
       session (sharing evidence, P-4).
    .. pii_types: id, ip
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key = models.CharField(_("course key"), max_length=KEY_MAX_LENGTH)
    block_key = models.CharField(_("block key"), max_length=KEY_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent_hash = models.CharField(_("user agent hash"), max_length=64, blank=True)
    browser_hash = models.CharField(_("browser session hash"), max_length=64, blank=True)
    learning_flushed_at = models.DateTimeField(_("learning time recorded at"), null=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("watch session")
        verbose_name_plural = _("watch sessions")
        indexes = [models.Index(fields=["user", "block_key"])]

    def __str__(self) -> str:
        return f"watch session {self.pk}"


class WatchProgress(models.Model):
    """The verified watched parts of one video for one learner (one row per user and block).

    .. pii: The learner's user id and the parts of a video they watched.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key = models.CharField(_("course key"), max_length=KEY_MAX_LENGTH)
    block_key = models.CharField(_("block key"), max_length=KEY_MAX_LENGTH)
    duration = models.FloatField(_("duration (seconds)"))
    max_rate = models.FloatField(_("maximum playback rate"), default=1.0)
    # Media-time intervals [[start, end], ...], sorted and disjoint.
    intervals = models.JSONField(_("watched intervals"), default=list)
    frontier = models.FloatField(_("furthest point watched"), default=0.0)
    position = models.FloatField(_("last position"), default=0.0)
    watched_seconds = models.FloatField(_("watched seconds"), default=0.0)
    wall_seconds = models.FloatField(_("wall-clock seconds"), default=0.0)
    session = models.ForeignKey(
        WatchSession, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    session_started_at = models.DateTimeField(_("session started at"), null=True)
    last_seq = models.PositiveIntegerField(_("last sequence number"), default=0)
    last_report = models.JSONField(_("last accepted segment"), null=True)
    last_report_at = models.DateTimeField(_("last report (server time)"), null=True)
    # Wall-clock windows [[t0, t1], ...] (epoch seconds) not yet written as learning time.
    pending_windows = models.JSONField(_("pending learning windows"), default=list)
    first_watched_at = models.DateTimeField(_("first watched at"), null=True)
    last_watched_at = models.DateTimeField(_("last watched at"), null=True)
    completed_at = models.DateTimeField(_("completed at"), null=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("watch progress")
        verbose_name_plural = _("watch progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "block_key"], name="elearn_watchprogress_uniq")
        ]

    def __str__(self) -> str:
        return f"progress {self.user_id} {self.block_key}"


class VideoCompletion(models.Model):
    """Proof that one learner watched one video to the end. Never changed once written.

    .. pii: The learner's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    course_key = models.CharField(_("course key"), max_length=KEY_MAX_LENGTH, db_index=True)
    block_key = models.CharField(_("block key"), max_length=KEY_MAX_LENGTH)
    watched_seconds = models.FloatField(_("watched seconds"))
    wall_seconds = models.FloatField(_("wall-clock seconds"))
    first_watched_at = models.DateTimeField(_("first watched at"))
    last_watched_at = models.DateTimeField(_("last watched at"))
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("video completion")
        verbose_name_plural = _("video completions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "block_key"], name="elearn_videocompletion_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"completion {self.user_id} {self.block_key}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("A video completion cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A video completion cannot be deleted."))


class SharingSuspicion(models.Model):
    """Two sessions of one learner, from different browsers or addresses, played at once (P-4).

    Evidence only: the lifecycle rules decide whether it becomes a sanction.

    .. pii: The learner's user id and the evidence of shared use (session ids, IP addresses).
    .. pii_types: id, ip
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_session = models.ForeignKey(WatchSession, on_delete=models.CASCADE, related_name="+")
    second_session = models.ForeignKey(WatchSession, on_delete=models.CASCADE, related_name="+")
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    evidence = models.JSONField(_("evidence"), default=dict)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("account sharing suspicion")
        verbose_name_plural = _("account sharing suspicions")
        constraints = [
            models.UniqueConstraint(
                fields=["first_session", "second_session"], name="elearn_sharingsuspicion_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"sharing suspicion {self.pk}"


class BuiltinVideoFinding(models.Model):
    """A built-in `video` block in a required course: it cannot prove P-17.

    .. no_pii: Course and block keys.
    """

    course_key = models.CharField(_("course key"), max_length=KEY_MAX_LENGTH)
    block_key = models.CharField(_("block key"), max_length=KEY_MAX_LENGTH)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("built-in video in a required course")
        verbose_name_plural = _("built-in videos in required courses")
        constraints = [
            models.UniqueConstraint(
                fields=["course_key", "block_key"], name="elearn_builtinvideofinding_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.block_key
