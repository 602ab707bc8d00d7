"""Knowledge contests (知识竞赛): a question bank generated from the sorting knowledge base plus hand-written
questions on the regulation, timed contests on phones with a live scoreboard, and results per residential area."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib.db import TimeStampedModel


class QuestionKind(models.TextChoices):
    WHICH_BIN = "which_bin", _("Which bin for this item?")
    WHICH_IS = "which_is", _("Which of these belongs in …?")
    MISTAKE = "mistake", _("A common mistake")
    REGULATION = "regulation", _("The regulation")


class Question(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=200)
    choices = models.JSONField(_("choices"), help_text=_("2 to 4 answers, in the order shown"))
    answer = models.PositiveSmallIntegerField(_("right answer (0 = first)"))
    explanation = models.CharField(_("explanation"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["kind", "text"]
        constraints = [models.UniqueConstraint(fields=["kind", "text"], name="question_unique_text")]

    def __str__(self) -> str:
        return self.text


class ContestMode(models.TextChoices):
    INDIVIDUAL = "individual", _("Individuals")
    TEAM = "team", _("Teams")


class ContestStatus(models.TextChoices):
    OPEN = "open", _("Open for players")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Contest(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="contests")
    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=100)
    mode = models.CharField(
        _("mode"), max_length=10, choices=ContestMode.choices, default=ContestMode.INDIVIDUAL
    )
    seconds = models.PositiveSmallIntegerField(_("seconds per question"), default=20)
    status = models.CharField(
        _("status"), max_length=10, choices=ContestStatus.choices, default=ContestStatus.OPEN
    )
    current = models.SmallIntegerField(default=-1)  # index of the question on screen; -1 before the start
    question_count = models.PositiveSmallIntegerField(default=0)
    question_started_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ContestQuestion(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="uses")
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["contest", "order"]
        constraints = [models.UniqueConstraint(fields=["contest", "order"], name="contestquestion_order")]

    def __str__(self) -> str:
        return f"{self.contest} {self.order + 1}"


class Entry(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    team = models.CharField(_("team"), max_length=50, blank=True)
    community = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, null=True, related_name="+")
    score = models.PositiveSmallIntegerField(default=0)  # right answers, kept with each answer
    # Time used: ms from each question coming up to this player's answer, over all their answers (right or
    # wrong). Shown on the board and the tie-break between equal scores.
    total_ms = models.PositiveIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("player")
        verbose_name_plural = _("players")
        constraints = [models.UniqueConstraint(fields=["contest", "user"], name="entry_once_per_user")]
        indexes = [models.Index(fields=["contest", "-score", "total_ms"], name="entry_board_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def seconds_used(self) -> float:
        """The time used, in seconds (see total_ms): what the board shows, to a tenth."""
        return self.total_ms / 1000


class Answer(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="answers")
    order = models.PositiveSmallIntegerField()
    choice = models.PositiveSmallIntegerField()
    correct = models.BooleanField()
    ms = models.PositiveIntegerField()
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "order"], name="answer_once_per_question"),
            models.CheckConstraint(condition=Q(choice__lt=4), name="answer_choice_range"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.order + 1}: {self.choice}"
