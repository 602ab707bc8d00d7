"""The sorting knowledge base: schemes and their categories, items with aliases, and what residents ask.

An item's `category` is the canonical key (recyclable / hazardous / wet / dry) that the API returns; how a
category is named and coloured depends on the scheme a deployment uses (Shanghai: 湿垃圾 brown, 干垃圾 black;
GB/T 19095-2019: 厨余垃圾 green, 其他垃圾 grey).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib.codes import opaque_code_field
from lib.db import TimeStampedModel


class CategoryKey(models.TextChoices):
    RECYCLABLE = "recyclable", _("Recyclable")
    HAZARDOUS = "hazardous", _("Hazardous")
    WET = "wet", _("Wet (food) waste")
    DRY = "dry", _("Dry (residual) waste")


class Scheme(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="categories")
    key = models.CharField(_("key"), max_length=12, choices=CategoryKey.choices)
    name = models.CharField(_("name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)
    colour = models.CharField(_("colour"), max_length=7, help_text="#RRGGBB")
    colour_name = models.CharField(_("colour name"), max_length=10)
    tip = models.CharField(_("disposal tip"), max_length=200, blank=True)
    tip_en = models.CharField(_("disposal tip (English)"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["scheme", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="category_unique_key_per_scheme")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scheme.code})"


class SubClass(models.Model):
    """GB/T 19095-2019's 11 minor classes (纸类, 塑料, … 其他厨余垃圾)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="subclasses")
    category = models.CharField(_("category"), max_length=12, choices=CategoryKey.choices)
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Item-name words, '|'-separated")
    )

    class Meta:
        verbose_name = _("sub-class")
        verbose_name_plural = _("sub-classes")
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="subclass_unique_code")]

    def __str__(self) -> str:
        return self.name


class ItemOrigin(models.TextChoices):
    DATASET = "dataset", _("Published list (2019)")
    STAFF = "staff", _("Added by staff")
    REVIEW = "review", _("From the review queue")


class ItemKind(models.TextChoices):
    """How an item is answered: one bin; in parts (milk tea: drink, pearls, cup); by its kind (a battery:
    rechargeable or button cells are hazardous, ordinary dry cells dry waste); or not by a bin at all."""

    ITEM = "item", _("One bin")
    COMPOSITE = "composite", _("In parts")
    DEPENDS = "depends", _("Depends on the kind")
    BULKY = "bulky", _("Bulky waste")
    APPLIANCE = "appliance", _("Large appliance")


class PartDestination(models.TextChoices):
    RECYCLABLE = "recyclable", _("Recyclable")
    HAZARDOUS = "hazardous", _("Hazardous")
    WET = "wet", _("Wet (food) waste")
    DRY = "dry", _("Dry (residual) waste")
    DRAIN = "drain", _("Down the drain")


class AnswerSource(models.TextChoices):
    """Where a corrected answer comes from (issue 18 item 7)."""

    OFFICIAL_LOOKUP = "official-lookup", _("Shanghai official lookup")
    OFFICE_QA = "office-qa", _("The office's published Q&A")
    GUIDE_2019 = "guide-2019", _("The 2019 sorting guide")
    OTHER = "other", _("Other (given in the reason)")


class Item(TimeStampedModel):
    name = models.CharField(_("name"), max_length=60, unique=True)
    # For bulky waste and appliances: the bin a small piece would go to; the answer is what to do instead.
    category = models.CharField(_("category"), max_length=12, choices=CategoryKey.choices)
    kind = models.CharField(_("answer kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.ITEM)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    tip = models.CharField(_("disposal tip"), max_length=200, blank=True)
    sources = models.CharField(_("sources"), max_length=200, blank=True)
    sources_agree = models.BooleanField(_("sources agree"), default=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=ItemOrigin.choices, default=ItemOrigin.DATASET
    )
    # Derived from the name at write time (services), so the search index loads without pinyin work.
    pinyin = models.CharField(max_length=300, blank=True, editable=False)
    initials = models.CharField(max_length=60, blank=True, editable=False)
    active = models.BooleanField(pgettext_lazy("guide item", "active"), default=True)
    # Set by the consistency check (guide.consistency): the tip contradicts the answer, or a near-synonym
    # sits in another bin. A flagged item is answered with less confidence and never asked in a contest.
    flagged = models.BooleanField(_("flagged for review"), default=False)
    flag_note = models.CharField(_("why it is flagged"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=[c.value for c in CategoryKey]), name="item_category_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ItemPart(models.Model):
    """One part of a composite answer: 奶茶 → the drink down the drain, pearls wet, cup and straw dry."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(_("part"), max_length=60)
    name_en = models.CharField(_("part (English)"), max_length=100, blank=True)
    destination = models.CharField(_("goes to"), max_length=12, choices=PartDestination.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("item part")
        verbose_name_plural = _("item parts")
        ordering = ["item", "order"]

    def __str__(self) -> str:
        return self.name


class AliasKind(models.TextChoices):
    SYNONYM = "synonym", _("Synonym")
    ENGLISH = "english", _("English")
    VARIANT = "variant", _("Variant")


class Alias(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(_("alias"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AliasKind.choices)
    pinyin = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [models.UniqueConstraint(fields=["text", "kind"], name="alias_unique_text")]

    def __str__(self) -> str:
        return self.text


class QueryStatus(models.TextChoices):
    OPEN = "open", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected")
    DISMISSED = "dismissed", _("Dismissed")


class LookupQuery(models.Model):
    """What residents ask, counted anonymously (no user, no IP), normalised so variants count together."""

    text = models.CharField(_("query"), max_length=100, unique=True)
    code = opaque_code_field()
    count = models.PositiveIntegerField(_("times asked"), default=0)
    first_at = models.DateTimeField(_("first asked"), auto_now_add=True)
    last_at = models.DateTimeField(_("last asked"), auto_now=True)
    method = models.CharField(_("how it was answered"), max_length=12)
    category = models.CharField(_("answer"), max_length=12, choices=CategoryKey.choices, blank=True)
    confidence = models.FloatField(_("confidence"), default=0)
    matched = models.CharField(_("matched item"), max_length=60, blank=True)
    status = models.CharField(_("review"), max_length=10, choices=QueryStatus.choices, blank=True)
    resolved_item = models.ForeignKey(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why it is in the queue when no resident asked it (the consistency check), and, once staff resolve it,
    # where their answer comes from.
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(
        _("source of the answer"), max_length=20, choices=AnswerSource.choices, blank=True
    )

    class Meta:
        verbose_name = _("lookup query")
        verbose_name_plural = _("lookup queries")
        ordering = ["-count"]
        indexes = [models.Index(fields=["status", "-count"], name="lookupquery_review_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def method_label(self) -> str:
        """How it was answered, in the page's language (the review queue showed the code, "fuzzy")."""
        from guide.presenters import method_text  # presenters import the search index, which imports models

        return method_text(self.method) or self.method

    @property
    def confidence_pct(self) -> int:
        """How sure the answer was, 0–100 (confidence is stored 0–1)."""
        return round(self.confidence * 100)

    @property
    def note_text(self) -> str:
        """The note in the page's language (the consistency check stores codes, see guide.consistency)."""
        from guide.presenters import check_note_text

        return check_note_text(self.note)
