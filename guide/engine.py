"""The "which bin?" search engine: pure Python over an in-memory index, no database on the hot path.

A query walks a ladder and stops at the first rung that answers:
  exact name → alias (synonym, variant, English) → the name inside a phrase ("喝完的矿泉水瓶") →
  full pinyin → same-sounding characters (香焦皮 → 香蕉皮) → pinyin initials → English phrase →
  fuzzy (typos) → predicted from the name's characters (a naive Bayes model over character n-grams with
  the head character weighted, trained on the knowledge base).
Each rung reports its method and a confidence; bench/guide_eval.py checks that the confidence is honest.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import opencc
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

CATEGORIES = ("recyclable", "hazardous", "wet", "dry")
MAX_QUERY = 50

_T2S = opencc.OpenCC("t2s")
_PUNCT = re.compile(r"[\s\u3000·•,，。.!！?？、;；:：'\"“”‘’()（）\[\]【】<>《》{}/\\|_\-+*&^%$#@~`=]+")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LETTERS = re.compile(r"^[a-z]+$")
_PREFIX = re.compile(
    r"^(?:请问|我想问|我有|这个|那个|这些|那些|一些|一堆|我的|家里的|家里|不要的|没用的|用不了的|"
    r"(?:[一两二三四五六七八九十几半数]+|好几)[个只支瓶袋包盒张块根片颗粒条件双把台罐杯碗份盘串枚节卷]|"
    r"(?:用|吃|喝|穿|玩|看|抽|剩|坏|破|碎|烂|洗|剪|啃|嚼|削|剥|拆|戴)[了过完剩掉坏烂破旧碎下]+的?|"
    r"(?:过期|变质|发霉|废旧|废弃|用旧|穿旧|破损|损坏|干净|脏|旧|空|破|碎|烂|坏|湿|干)的)+"
)
_SUFFIX = re.compile(
    r"(?:怎么扔|怎么丢|怎么处理|怎么分类|怎么办|属于什么垃圾|属于哪类垃圾|属于哪类|是什么垃圾|算什么垃圾|"
    r"是哪类垃圾|是啥垃圾|扔哪里|扔哪|放哪里|放哪|是什么|算什么|垃圾|吗|呢|啊|呀|了|的)+$"
)
_EN_STOP = {
    "a",
    "an",
    "the",
    "some",
    "used",
    "old",
    "empty",
    "broken",
    "leftover",
    "leftovers",
    "half",
    "eaten",
    "dirty",
    "waste",
    "of",
    "piece",
    "pieces",
    "my",
    "this",
    "that",
    "finished",
    "spent",
    "expired",
    "torn",
    "rotten",
    "worn",
    "dead",
    "bit",
    "bits",
    "scrap",
    "scraps",
    "discarded",
    "i",
    "have",
    "where",
    "does",
    "go",
    "what",
    "bin",
    "is",
    "it",
    "to",
    "throw",
    "away",
    "how",
    "in",
    "which",
    "for",
    "out",
}


def normalize(text: str) -> str:
    """NFKC, lower case, traditional → simplified, no spaces or punctuation."""
    t = unicodedata.normalize("NFKC", text).strip().lower()
    if _HAN.search(t):
        t = _T2S.convert(t)
    return _PUNCT.sub("", t)


def simplified(name: str) -> str:
    """A name as shown to residents: simplified characters (a few published names are traditional)."""
    return _T2S.convert(name) if _HAN.search(name) else name


def english_words(text: str) -> list[str]:
    t = unicodedata.normalize("NFKC", text).lower()
    return [w for w in re.split(r"[^a-z0-9]+", t) if w]


def singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith(("ches", "shes", "xes", "sses", "oes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def english_key(words: Iterable[str]) -> str:
    return " ".join(singular(w) for w in words)


def strip_modifiers(text: str) -> str:
    core = _SUFFIX.sub("", _PREFIX.sub("", text))
    return core or text


def keep_chars(chars: str) -> Any:
    """pypinyin's error handler: characters without pinyin (letters, digits) stay, one syllable each."""
    return list(chars)


def to_pinyin(text: str) -> list[str]:
    return lazy_pinyin(text, errors=keep_chars)


@dataclass(frozen=True)
class Entry:
    id: int
    name: str
    category: str
    name_en: str = ""
    pinyin: str = ""  # space-separated syllables
    initials: str = ""
    weight: float = 1.0  # how established the name is (number of sources); breaks ties
    agreed: bool = True


@dataclass
class Answer:
    query: str
    normalized: str
    category: str | None
    item: Entry | None
    method: str
    confidence: float
    alternatives: list[tuple[Entry, float]] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def matched(self) -> str | None:
        return self.item.name if self.item else None

    @property
    def predicted(self) -> bool:
        return self.method == "predicted"


class NaiveBayes:
    """Multinomial naive Bayes over character n-grams, the head (last) characters counted extra."""

    def __init__(self, alpha: float = 0.3, temperature: float = 1.0):
        self.alpha, self.temperature = alpha, temperature
        self.counts: dict[str, Counter[str]] = {c: Counter() for c in CATEGORIES}
        self.totals: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
        self.priors: dict[str, float] = {}
        self.vocab: set[str] = set()

    @staticmethod
    def features(name: str) -> list[str]:
        chars = [c for c in name if not c.isdigit()]
        feats = list(chars)
        feats += [a + b for a, b in zip(chars, chars[1:], strict=False)]
        if chars:
            feats += ["$" + chars[-1]] * 3
        if len(chars) > 1:
            feats += ["$" + chars[-2] + chars[-1]] * 2
        return feats

    def fit(self, names: Iterable[tuple[str, str]]) -> NaiveBayes:
        docs: Counter[str] = Counter()
        for name, category in names:
            feats = self.features(name)
            self.counts[category].update(feats)
            self.totals[category] += len(feats)
            self.vocab.update(feats)
            docs[category] += 1
        n = sum(docs.values()) or 1
        self.priors = {c: math.log((docs[c] + 1) / (n + len(CATEGORIES))) for c in CATEGORIES}
        return self

    def predict(self, name: str) -> dict[str, float]:
        feats = [f for f in self.features(name) if f in self.vocab]
        v = len(self.vocab) or 1
        logp = {}
        for c in CATEGORIES:
            denom = math.log(self.totals[c] + self.alpha * v)
            counts = self.counts[c]
            logp[c] = self.priors[c] + sum(math.log(counts[f] + self.alpha) - denom for f in feats)
        top = max(logp.values())
        scaled = {c: math.exp((lp - top) / self.temperature) for c, lp in logp.items()}
        total = sum(scaled.values())
        return {c: s / total for c, s in scaled.items()}


# Confidence per rung. Fixed numbers, checked against held-out accuracy in bench/guide_eval.py.
CONFIDENCE = {
    "exact": 0.99,
    "alias": 0.97,
    "phrase": 0.93,
    "pinyin": 0.96,
    "homophone": 0.9,
    "english": 0.93,
    "initials": 0.85,
    "fuzzy": 0.8,
}
NB_TEMPERATURE = 1.0
# A partial match that the character model agrees with: right ~89% of the time on held-out names.
AGREED = 0.88


def calibrated(p: float) -> float:
    """Naive Bayes posteriors are over-confident. Held-out names (bench/guide_eval.py) were right about
    89% of the time at p ≥ 0.97, ~67% at 0.9–0.97 and ~50% below: the stated confidence says that."""
    if p >= 0.97:
        return 0.85
    if p >= 0.9:
        return 0.65
    if p >= 0.6:
        return 0.5
    return 0.4


class Index:
    def __init__(self, entries: Iterable[Entry], aliases: Iterable[tuple[int, str, str]] = ()):
        self.entries: dict[int, Entry] = {}
        self.exact: dict[str, Entry] = {}
        self.alias: dict[str, Entry] = {}
        self.english: dict[str, Entry] = {}
        self.by_pinyin: dict[str, list[Entry]] = defaultdict(list)
        self.by_initials: dict[str, list[Entry]] = defaultdict(list)
        self.bigrams: dict[str, list[str]] = defaultdict(list)
        # Simplified names first: the published list names a few items in both scripts (電池 beside 电池),
        # and the one key they share answers the simplified item (the name a resident here reads).
        for e in sorted(entries, key=lambda e: simplified(e.name) != e.name):
            self._add_entry(e)
        for item_id, text, kind in aliases:
            entry = self.entries.get(item_id)
            if entry is None:
                continue
            if kind == "english":
                self.english.setdefault(english_key(english_words(text)), entry)
            else:
                key = normalize(text)
                if key and key not in self.exact:
                    self.alias.setdefault(key, entry)
                    self._add_sound(key, entry)
        self.max_len = max((len(k) for k in self.exact), default=1)
        self.keys = list(self.exact) + [k for k in self.alias if k not in self.exact]
        # Names by their last character (the head noun): neighbours for names nothing else resembles.
        self.by_head: dict[str, list[str]] = defaultdict(list)
        for key in self.keys:
            self.by_head[key[-1]].append(key)
        self.pinyin_keys = list(self.by_pinyin)
        self.english_keys = list(self.english)
        self.model = NaiveBayes(temperature=NB_TEMPERATURE).fit(
            (k, e.category) for k, e in self.exact.items()
        )

    def _add_entry(self, e: Entry) -> None:
        self.entries[e.id] = e
        key = normalize(e.name)
        # The first name to claim a key keeps it (simplified names come first); a twin in the other script
        # or case (x光片 beside X光片) still adds its own sounds below.
        self.exact.setdefault(key, e)
        bare = normalize(_BRACKETED.sub("", e.name))
        if bare and bare != key:
            self.alias.setdefault(bare, e)
        if e.name_en:
            for en in e.name_en.split("|"):
                self.english.setdefault(english_key(english_words(en)), e)
        self._add_sound(key, e, e.pinyin, e.initials)
        for i in range(len(key) - 1):
            self.bigrams[key[i : i + 2]].append(key)

    def _add_sound(self, key: str, e: Entry, pinyin: str = "", initials: str = "") -> None:
        if not _HAN.search(key):
            return
        syllables = pinyin.split() if pinyin else to_pinyin(key)
        self.by_pinyin["".join(syllables)].append(e)
        self.by_initials[initials or "".join(s[0] for s in syllables if s)].append(e)

    # --- ladder ----------------------------------------------------------------------------------

    def lookup(self, query: str) -> Answer:
        q = normalize(query)[:MAX_QUERY]
        if not q:
            return Answer(query, q, None, None, "none", 0.0)
        if _LETTERS.match(q) or not _HAN.search(q):
            answer = self._latin(query, q)
            if answer:
                return answer
        return self._han(query, q)

    def _answer(
        self, query: str, q: str, entry: Entry, method: str, confidence: float | None = None
    ) -> Answer:
        conf = CONFIDENCE[method] if confidence is None else confidence
        if not entry.agreed:
            conf *= 0.9  # public sources disagree on this name
        return Answer(query, q, entry.category, entry, method, round(conf, 3))

    def _han(self, query: str, q: str) -> Answer:
        if q in self.exact:
            return self._answer(query, q, self.exact[q], "exact")
        if q in self.alias:
            return self._answer(query, q, self.alias[q], "alias")
        core = strip_modifiers(q)
        if core != q:
            if core in self.exact:
                return self._answer(query, q, self.exact[core], "phrase")
            if core in self.alias:
                return self._answer(query, q, self.alias[core], "phrase")
        sounding = self._homophone(core)
        if sounding and sounding[1] == len(core):
            return self._answer(query, q, sounding[0], "homophone")
        return self._unlisted(query, q, core, sounding)

    def _unlisted(self, query: str, q: str, core: str, sounding: tuple[Entry, int] | None) -> Answer:
        """No known name explains the whole query. The character model decides the category (on held-out
        names it beats a partial match whenever the two disagree); a partial match that agrees with it is
        reported as the matched item."""
        scores = self.model.predict(core)
        category = max(scores, key=lambda c: scores[c])
        contained = self._longest_contained(core)
        fuzzy = self._fuzzy_han(core)
        candidates: list[tuple[Entry, str]] = []
        if contained and len(contained[0]) >= 2:
            candidates.append((contained[1], "phrase"))
        if sounding:
            candidates.append((sounding[0], "homophone"))
        if fuzzy:
            candidates.append((fuzzy[0], "fuzzy"))
        for entry, method in candidates:
            if entry.category == category:
                return Answer(query, q, category, entry, method, AGREED, self.nearest(core), scores)
        alternatives = [(e, 0.0) for e, _m in candidates] or self.nearest(core)
        return Answer(
            query, q, category, None, "predicted", calibrated(scores[category]), alternatives, scores
        )

    def _longest_contained(self, q: str) -> tuple[str, Entry] | None:
        best: tuple[int, int, str] | None = None
        n = len(q)
        for i in range(n):
            for j in range(min(n, i + self.max_len), i + 1, -1):
                piece = q[i:j]
                if piece in self.exact or piece in self.alias:
                    # Longest first; among equals the rightmost (the head noun comes last in Chinese).
                    cand = (j - i, j, piece)
                    if best is None or cand > best:
                        best = cand
                    break
        if best is None:
            return None
        piece = best[2]
        return piece, self.exact.get(piece) or self.alias[piece]

    def _pick(self, candidates: list[Entry], q: str) -> Entry:
        return max(candidates, key=lambda e: (len(set(e.name) & set(q)), e.weight, -len(e.name)))

    def _homophone(self, q: str) -> tuple[Entry, int] | None:
        """The longest run of the query that sounds like a known name (香焦皮 → 香蕉皮), rightmost first."""
        syllables = to_pinyin(q)
        n = len(syllables)
        for length in range(n, 1, -1):
            for start in range(n - length, -1, -1):
                key = "".join(syllables[start : start + length])
                if key in self.by_pinyin:
                    return self._pick(self.by_pinyin[key], q), length
        return None

    def _fuzzy_han(self, q: str) -> tuple[Entry, float] | None:
        if len(q) < 2:
            return None
        votes: Counter[str] = Counter()
        for i in range(len(q) - 1):
            for key in self.bigrams.get(q[i : i + 2], ()):
                votes[key] += 1
        if not votes:
            return None
        candidates = [k for k, _ in votes.most_common(40)]
        best = process.extractOne(q, candidates, scorer=fuzz.ratio, score_cutoff=60)
        if not best:
            return None
        key, score, _ = best
        return self.exact[key], score

    def _latin(self, query: str, q: str) -> Answer | None:
        words = english_words(query)
        en = english_key(words)
        if en in self.english:
            return self._answer(query, q, self.english[en], "english")
        if _LETTERS.match(q) and q in self.by_pinyin:
            return self._answer(query, q, self._pick(self.by_pinyin[q], q), "pinyin")
        content = [w for w in words if w not in _EN_STOP]
        if content and content != words:
            key = english_key(content)
            if key in self.english:
                return self._answer(query, q, self.english[key], "english")
        if _LETTERS.match(q) and len(q) <= 8 and q in self.by_initials and len(words) == 1:
            candidates = self.by_initials[q]
            # Initials are ambiguous (ylg: 易拉罐, 鱼鳞骨…): answer the category most names with them share.
            votes: dict[str, float] = defaultdict(float)
            for e in candidates:
                votes[e.category] += e.weight
            category, top = max(votes.items(), key=lambda kv: kv[1])
            top_share = top / sum(votes.values())
            chosen = max(
                (e for e in candidates if e.category == category), key=lambda e: (e.weight, -len(e.name))
            )
            return self._answer(query, q, chosen, "initials", CONFIDENCE["initials"] * top_share)
        # English head noun: the last one or two content words.
        for size in (2, 1):
            if len(content) >= size:
                key = english_key(content[-size:])
                if key in self.english:
                    return self._answer(query, q, self.english[key], "english", CONFIDENCE["english"] * 0.9)
        if content:
            near = process.extractOne(
                english_key(content), self.english_keys, scorer=fuzz.ratio, score_cutoff=80
            )
            if near:
                return self._answer(
                    query, q, self.english[near[0]], "fuzzy", round(CONFIDENCE["fuzzy"] * near[1] / 100, 3)
                )
        if _LETTERS.match(q) and len(q) >= 4:
            bucket = [k for k in self.pinyin_keys if k[:1] == q[:1]]
            sounds = process.extractOne(q, bucket, scorer=fuzz.ratio, score_cutoff=85)
            if sounds:
                return self._answer(
                    query,
                    q,
                    self._pick(self.by_pinyin[sounds[0]], q),
                    "fuzzy",
                    round(CONFIDENCE["fuzzy"] * sounds[1] / 100, 3),
                )
        return None

    def surprising(self, category: str, limit: int = 30) -> list[tuple[Entry, str | None]]:
        """Items of a category that people get wrong: the character model confidently puts the name in another
        bin (returned with that bin), or public sources disagree (None). Computed once per index."""
        cache: dict[str, list[tuple[Entry, str | None]]] = self.__dict__.setdefault("_surprising", {})
        if category not in cache:
            found: list[tuple[Entry, str | None]] = []
            for key, entry in sorted(self.exact.items()):
                if entry.category != category:
                    continue
                guess = self.model.predict(key)
                wrong = max(guess, key=lambda c: guess[c])
                if wrong != category and guess[wrong] > 0.8:
                    found.append((entry, wrong))
                elif not entry.agreed:
                    found.append((entry, None))
            cache[category] = found
        return cache[category][:limit]

    def nearest(self, q: str, limit: int = 3) -> list[tuple[Entry, float]]:
        votes: Counter[str] = Counter()
        for i in range(len(q)):
            for key in self.bigrams.get(q[i : i + 2], ()) if i < len(q) - 1 else ():
                votes[key] += 2
        if len(votes) < limit and q:
            for key in self.by_head.get(q[-1], ())[:40]:
                votes[key] += 1
        found = process.extract(q, [k for k, _ in votes.most_common(40)], scorer=fuzz.ratio, limit=limit)
        return [(self.exact.get(k) or self.alias[k], round(s / 100, 3)) for k, s, _ in found]
