"""Writes to the knowledge base, the lookup counter and the review queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audit.services import audit_created, audit_updated, snapshot
from guide.consistency import Conflict, KbItem, encode_note, find_conflicts
from guide.engine import Answer, normalize
from guide.kb import pinyin_of, read_english, read_items, read_special, read_synonyms, synonym_aliases
from guide.models import (
    Alias,
    AliasKind,
    AnswerSource,
    Category,
    CategoryKey,
    Item,
    ItemKind,
    ItemOrigin,
    ItemPart,
    LookupQuery,
    QueryStatus,
    Scheme,
    SubClass,
)
from guide.schemes import SCHEMES
from lib.bilingual import Msg


def schemes_ensure() -> None:
    for code, spec in SCHEMES.items():
        scheme, _ = Scheme.objects.update_or_create(
            code=code, defaults={"name": spec["name"], "name_en": spec["name_en"], "source": spec["source"]}
        )
        for order, (key, name, name_en, colour, colour_name, tip, tip_en) in enumerate(spec["categories"]):
            Category.objects.update_or_create(
                scheme=scheme,
                key=key,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "colour": colour,
                    "colour_name": colour_name,
                    "tip": tip,
                    "tip_en": tip_en,
                    "sort_order": order,
                },
            )
        for category, sc_code, name, name_en, keywords in spec["subclasses"]:
            SubClass.objects.update_or_create(
                scheme=scheme,
                code=sc_code,
                defaults={"category": category, "name": name, "name_en": name_en, "keywords": keywords},
            )


@transaction.atomic
def guide_load_dataset(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Load the published list, English names and synonyms. Idempotent: names already in the knowledge base
    (perhaps corrected by staff since) are left as they are."""
    schemes_ensure()
    english = read_english()
    existing = set(Item.objects.values_list("name", flat=True))
    sources = read_items()
    new = []
    for n, src in enumerate(sources):
        if src.name in existing:
            continue
        pinyin, initials = pinyin_of(src.name)
        new.append(
            Item(
                name=src.name,
                category=src.category,
                name_en=english.get(src.name, ""),
                sources=src.sources,
                sources_agree=src.sources_agree,
                origin=ItemOrigin.DATASET,
                pinyin=pinyin,
                initials=initials,
            )
        )
        if progress and n % 500 == 0:
            progress(n, len(sources))
    Item.objects.bulk_create(new, batch_size=1000)
    ids = dict(Item.objects.values_list("name", "id"))
    known_aliases = set(Alias.objects.values_list("text", flat=True))
    aliases = [
        Alias(item_id=ids[name], text=alias, kind=AliasKind.SYNONYM, pinyin=pinyin_of(alias)[0])
        for name, alias in synonym_aliases(list(ids), read_synonyms())
        if alias not in known_aliases
    ]
    Alias.objects.bulk_create(aliases, batch_size=1000)
    new += _load_special(existing, english)
    consistency_flag(actor=None)
    if progress:
        progress(len(sources), len(sources))
    return len(new)


def _load_special(existing: set[str], english: dict[str, str]) -> list[Item]:
    """Bulky waste, appliances, answers in parts and answers by kind (data/special.csv): new names are added
    (with their English names, data/english.csv); a listed name still answered as one bin and without parts
    gets its kind and parts (a staff change is left alone); one without an English name gets it."""
    added: list[Item] = []
    specials = read_special()
    names = [sp.name for sp in specials]
    items = Item.objects.in_bulk(names, field_name="name")
    with_parts = set(ItemPart.objects.filter(item__name__in=names).values_list("item_id", flat=True))
    for sp in specials:
        item = items.get(sp.name)
        if item is None:
            pinyin, initials = pinyin_of(sp.name)
            item = Item.objects.create(
                name=sp.name,
                category=sp.category,
                kind=sp.kind,
                name_en=english.get(sp.name, ""),
                sources=sp.sources,
                origin=ItemOrigin.DATASET,
                pinyin=pinyin,
                initials=initials,
            )
            added.append(item)
        elif sp.name in existing and (item.kind != ItemKind.ITEM or item.pk in with_parts):
            if not item.name_en and english.get(sp.name):
                item.name_en = english[sp.name]
                item.save(update_fields=["name_en", "updated_at"])
            continue
        else:
            item.kind = sp.kind
            item.name_en = item.name_en or english.get(sp.name, "")
            item.save(update_fields=["kind", "name_en", "updated_at"])
        if item.pk not in with_parts:
            ItemPart.objects.bulk_create(
                ItemPart(item=item, name=zh, name_en=en, destination=dest, order=n)
                for n, (zh, en, dest) in enumerate(sp.parts)
            )
    return added


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise ValidationError(
            str(Msg("名称不能为空，且不超过 60 个字符。", "A name is required, at most 60 characters."))
        )
    return name


@transaction.atomic
def item_create(
    *,
    actor: Any,
    name: str,
    category: str,
    reason: str,
    name_en: str = "",
    tip: str = "",
    origin: str = ItemOrigin.STAFF,
) -> Item:
    if category not in CategoryKey.values:
        raise ValidationError(f"unknown category {category!r}")
    if not reason.strip():
        raise ValidationError(str(Msg("请说明依据或原因。", "Give the reason or source.")))
    name = _clean_name(name)
    pinyin, initials = pinyin_of(name)
    item = Item(
        name=name,
        category=category,
        name_en=name_en,
        tip=tip,
        origin=origin,
        pinyin=pinyin,
        initials=initials,
        sources="staff",
    )
    item.full_clean()
    item.save()
    audit_created(actor=actor, obj=item, reason=reason)
    return item


@transaction.atomic
def item_update(*, actor: Any, item: Item, reason: str, **fields: Any) -> Item:
    allowed = {"category", "name_en", "tip", "active"}
    if set(fields) - allowed:
        raise ValueError(f"cannot update {sorted(set(fields) - allowed)}")
    if not reason.strip():
        raise ValidationError(
            str(Msg("修改知识库须说明原因。", "A change to the knowledge base needs a reason."))
        )
    before = snapshot(item)
    for key, value in fields.items():
        setattr(item, key, value)
    item.full_clean()
    item.save()
    audit_updated(actor=actor, obj=item, before=before, reason=reason)
    return item


@transaction.atomic
def alias_create(
    *, actor: Any, item: Item, text: str, kind: str = AliasKind.SYNONYM, reason: str = ""
) -> Alias:
    alias = Alias(item=item, text=_clean_name(text), kind=kind, pinyin=pinyin_of(text)[0])
    alias.full_clean()
    alias.save()
    audit_created(actor=actor, obj=alias, reason=reason)
    return alias


def lookup_count(*, answer: Answer, times: int = 1) -> None:
    """Count a query anonymously; misses and predictions open a review entry."""
    text = answer.normalized[:100]
    if not text:
        return
    needs_review = answer.method in ("predicted", "fuzzy", "initials") or answer.confidence < 0.8
    values = {
        "method": answer.method,
        "category": answer.category or "",
        "confidence": answer.confidence,
        "matched": (answer.matched or "")[:60],
        "last_at": timezone.now(),
    }
    updated = LookupQuery.objects.filter(text=text).update(count=F("count") + times, **values)
    if updated:
        return
    try:
        with transaction.atomic():
            LookupQuery.objects.create(
                text=text, count=times, status=QueryStatus.OPEN if needs_review else "", **values
            )
    except IntegrityError:
        # Another process created it between our UPDATE and INSERT.
        LookupQuery.objects.filter(text=text).update(count=F("count") + times)


@transaction.atomic
def review_resolve(
    *,
    actor: Any,
    query: LookupQuery,
    category: str,
    item_name: str = "",
    reason: str = "",
    source: str = "",
) -> Item:
    """Staff confirm or correct an answer; the query joins the knowledge base (as an item, or as an alias
    of an existing item when `item_name` names one). `source` (AnswerSource: official-lookup, office-qa,
    guide-2019, other) says where the answer comes from; it is kept on the query, added to the item's
    sources (a flagged item is then unflagged) and written into the audit reason. Raises ValidationError."""
    if category not in CategoryKey.values:
        raise ValidationError(f"unknown category {category!r}")
    if source and source not in AnswerSource.values:
        raise ValidationError(str(Msg("请选择答案的依据来源。", "Choose where the answer comes from.")))
    status = QueryStatus.CONFIRMED if category == query.category else QueryStatus.CORRECTED
    reason = reason or f"review queue: {query.text} ({query.count}×)"
    if source:
        reason = f"{reason} [{AnswerSource(source).label}]"
    target = Item.objects.filter(name=item_name).first() if item_name else None
    if target is not None:
        if target.category != category:
            item_update(actor=actor, item=target, reason=reason, category=category)
        if normalize(target.name) != query.text:
            alias_create(actor=actor, item=target, text=query.text, reason=reason)
        item = target
    else:
        existing = Item.objects.filter(name=query.text).first()
        item = existing or item_create(
            actor=actor, name=query.text, category=category, reason=reason, origin=ItemOrigin.REVIEW
        )
        if existing and existing.category != category:
            item_update(actor=actor, item=existing, reason=reason, category=category)
    if source and source not in item.sources.split(";"):
        before_item = snapshot(item)
        item.sources = ";".join(filter(None, [*item.sources.split(";"), source]))[:200]
        if item.flagged:
            item.flagged, item.flag_note = False, ""  # staff decided, with a source
        item.save(update_fields=["sources", "flagged", "flag_note", "updated_at"])
        audit_updated(actor=actor, obj=item, before=before_item, reason=reason)
    before = snapshot(query)
    query.status, query.resolved_item, query.source = status, item, source
    query.save(update_fields=["status", "resolved_item", "source"])
    audit_updated(actor=actor, obj=query, before=before, reason=reason)
    return item


@transaction.atomic
def review_dismiss(*, actor: Any, query: LookupQuery, reason: str = "") -> None:
    before = snapshot(query)
    query.status = QueryStatus.DISMISSED
    query.save(update_fields=["status"])
    audit_updated(actor=actor, obj=query, before=before, reason=reason or "not an item")


CHECK_NOTE = "consistency check: "


@transaction.atomic
def consistency_flag(*, actor: Any = None) -> list[str]:
    """Run the consistency check (guide.consistency) over the active knowledge base: flag each item whose
    tip or rule contradicts its answer or whose near-synonym sits in another bin, put it in the review queue
    with the sources of both answers, and unflag items the check flagged before that no longer conflict.
    Staff decide in the review queue (review_resolve, with a source). Returns the flagged names."""
    items = list(Item.objects.filter(active=True))
    conflicts: dict[str, list[Conflict]] = {}
    # An item answered by its kind (电池: the split) names no one bin for a rule or a synonym to contradict.
    checked = (i for i in items if i.kind != ItemKind.DEPENDS)
    for c in find_conflicts(KbItem(i.name, i.category, i.sources, i.tip) for i in checked):
        conflicts.setdefault(c.name, []).append(c)
    for item in items:
        found = conflicts.get(item.name)
        notes = [c.note for c in found] if found else None
        if notes is None and not (item.flagged and item.flag_note.startswith(CHECK_NOTE)):
            continue
        before = snapshot(item)
        item.flagged = notes is not None
        item.flag_note = (CHECK_NOTE + "; ".join(notes))[:300] if notes else ""
        if snapshot(item) == before:
            if found:  # an open entry queued before the notes were codes gets them (no reopening)
                LookupQuery.objects.filter(
                    text=normalize(item.name)[:100], method="flagged", status=QueryStatus.OPEN
                ).exclude(note=encode_note(found)).update(note=encode_note(found))
            continue
        item.save(update_fields=["flagged", "flag_note", "updated_at"])
        audit_updated(
            actor=actor, obj=item, before=before, reason=item.flag_note or "consistency check: resolved"
        )
        if notes:
            LookupQuery.objects.update_or_create(
                text=normalize(item.name)[:100],
                defaults={
                    "method": "flagged",
                    "category": item.category,
                    "confidence": 0,
                    "matched": item.name[:60],
                    "status": QueryStatus.OPEN,
                    # Codes, not the English flag_note: the queue says it in the reader's language.
                    "note": encode_note(conflicts[item.name]),
                },
            )
    return sorted(conflicts)
