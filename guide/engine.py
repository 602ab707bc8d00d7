"""The "which bin?" search engine: pure Python over an in-memory index, no database on the hot path.

A query walks a ladder and stops at the first rung that answers:
  a category's name (干垃圾: what goes in it) → exact name → alias (synonym, variant, English) → numerals,
  brands and counts normalised (五号电池 → 5号电池, guide.rules) → the name inside a phrase ("喝完的矿泉水瓶")
  → the household-battery rule → full pinyin → same-sounding characters (香焦皮 → 香蕉皮; never for a real
  word: 油纸 is not 油脂) → pinyin initials → English phrase → the head noun (衣柜 in 大衣柜; a modifier alone
  is worth less) → fuzzy (typos) → predicted from the name's characters (a naive Bayes model over character
  n-grams with the head character weighted, trained on the knowledge base) → not recognised (qwerty, 哈哈).
An item may be answered in parts (奶茶), by its kind (电池: rechargeable and button cells hazardous, ordinary dry
cells dry), or as bulky waste or an appliance (Entry.kind). An English compound no English name matches is put
into Chinese word by word (AA battery → 5号电池) before its last word alone is matched.
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
from rapidfuzz import fuzz, process

from guide import rules

CATEGORIES = ("recyclable", "hazardous", "wet", "dry")
MAX_QUERY = 50

_T2S = opencc.OpenCC("t2s")
_PUNCT = re.compile(r"[\s\u3000·•,，。.!！?？、;；:：'\"“”‘’()（）\[\]【】<>《》{}/\\|_\-+*&^%$#@~`=]+")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LETTERS = re.compile(r"^[a-z]+$")
_LATIN_RUN = re.compile(r"[a-z]+")
_PREFIX = re.compile(
    r"^(?:请问|我想问|我有|这个|那个|这些|那些|一些|一堆|我的|家里的|家里|不要的|没用的|用不了的|"
    r"(?:[一两二三四五六七八九十几半数]+|好几)[个只支瓶袋包盒张块根片颗粒条件双把台罐杯碗份盘串枚节卷]|"
    r"(?:用|吃|喝|穿|玩|看|抽|剩|坏|破|碎|烂|洗|剪|啃|嚼|削|剥|拆|戴)[了过完剩掉坏烂破旧碎下]+的?|"
    r"(?:过期|变质|发霉|废旧|废弃|用旧|穿旧|破损|损坏|干净|脏|旧|空|破|碎|烂|坏|湿|干)的)+"
)
_SUFFIX = re.compile(
    r"(?:怎么扔|怎么丢|怎么处理|怎么分类|怎么办|属于什么垃圾|属于哪类垃圾|属于哪类|是什么垃圾|算什么垃圾|"
    r"是哪类垃圾|是啥垃圾|扔哪里|扔哪|放哪里|放哪|是什么|算什么|垃圾|吗|呢|啊|呀|"
    # a state after the thing ("充电宝坏了", "电池没电了"): the thing is what is asked about
    r"(?:坏掉|坏|破掉|破|碎掉|碎|烂掉|烂|旧|没电|用完|过期|不要|不用|鼓包|漏液)了|了|的)+$"
)


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
    # Imported here, not at the top: pypinyin loads its phrase dictionary on import (~200 ms), and most answers
    # (an exact name, an alias) never need pinyin; the first query that does pays it once per process.
    from pypinyin import lazy_pinyin

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
    agreed: bool = True  # False: public sources disagree, or the consistency check flagged it
    kind: str = "item"  # item | composite (in parts) | depends (by its kind) | bulky | appliance (ItemKind)
    parts: tuple[tuple[str, str, str], ...] = ()  # (name, English name, where it goes) of a composite


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
    "rule": 0.93,
    "category": 0.99,
}
# Text that is not an item (qwerty, 哈哈): no bin, a low confidence, suggestions, and the review queue.
UNRECOGNISED = 0.1
# Only a modifier of the query matched (大衣 in 大衣柜, the head noun unknown): less than a head-noun match.
MODIFIER_ONLY = 0.6
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
    def __init__(self, entries: Iterable[Entry], aliases: Iterable[tuple[Any, ...]] = ()):
        """`aliases`: (item id, text, kind) or (item id, text, kind, pinyin as stored); without a stored pinyin
        it is worked out here (pypinyin, ~200 ms to import on a cold start)."""
        self.entries: dict[int, Entry] = {}
        self.exact: dict[str, Entry] = {}
        self.alias: dict[str, Entry] = {}
        self.english: dict[str, Entry] = {}
        self.by_pinyin: dict[str, list[Entry]] = defaultdict(list)
        self.by_initials: dict[str, list[Entry]] = defaultdict(list)
        self.syllables: set[str] = set()
        self.bigrams: dict[str, list[str]] = defaultdict(list)
        # Simplified names first: the published list names a few items in both scripts (電池 beside 电池),
        # and the one key they share answers the simplified item (the name a resident here reads).
        for e in sorted(entries, key=lambda e: simplified(e.name) != e.name):
            self._add_entry(e)
        for item_id, text, kind, *stored in aliases:
            entry = self.entries.get(item_id)
            if entry is None:
                continue
            if kind == "english":
                self.english.setdefault(english_key(english_words(text)), entry)
            else:
                key = normalize(text)
                if key and key not in self.exact:
                    self.alias.setdefault(key, entry)
                    # The pinyin stored with the alias (guide.kb.pinyin_of at load), when the caller read it.
                    self._add_sound(key, entry, stored[0] if stored else "")
        self.max_len = max((len(k) for k in self.exact), default=1)
        self.keys = list(self.exact) + [k for k in self.alias if k not in self.exact]
        # Names by their last character (the head noun): neighbours for names nothing else resembles.
        self.by_head: dict[str, list[str]] = defaultdict(list)
        for key in self.keys:
            self.by_head[key[-1]].append(key)
        # The letter runs of known names (pvc in pvc管, kindle): other letters in a Chinese query are noise.
        self.latin_runs = {run for key in self.keys for run in _LATIN_RUN.findall(key)}
        self.pinyin_keys = list(self.by_pinyin)
        self.initial_prefixes = {k[:4].lower() for k in self.by_initials}
        self.english_keys = list(self.english)
        # English words and phrases → Chinese (rules.EN_WORDS, then the items' English names): see _translated.
        self.glossary: dict[str, str] = {k: normalize(e.name) for k, e in self.english.items()}
        self.glossary.update((english_key(k.split()), v) for k, v in rules.EN_WORDS.items())
        self.glossary_len = max((len(k.split()) for k in self.glossary), default=1)
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
        # Pinyin syllables only: the single letters of names like CD盒 are no syllable (a, e, o are).
        self.syllables.update(
            s.lower() for s in syllables if _LETTERS.match(s.lower()) and (len(s) > 1 or s.lower() in "aeo")
        )
        # Lower case: queries are normalised to lower case (U盘 is asked as "upan").
        self.by_pinyin["".join(syllables).lower()].append(e)
        self.by_initials[(initials or "".join(s[0] for s in syllables if s)).lower()].append(e)

    # --- ladder ----------------------------------------------------------------------------------

    def lookup(self, query: str) -> Answer:
        q = normalize(query)[:MAX_QUERY]
        if not q:
            return Answer(query, q, None, None, "none", 0.0)
        named = rules.category_named(q)
        if named:
            return Answer(query, q, named, None, "category", CONFIDENCE["category"])
        if q in self.exact:  # a listed name in letters (kindle, cd) before any reading of the letters
            return self._answer(query, q, self.exact[q], "exact")
        if _LETTERS.match(q) or not _HAN.search(q):
            answer = self._latin(query, q)
            if answer:
                return answer
            if _LETTERS.match(q) and q not in self.exact and not self._spellable(q):
                return self._unrecognised(query, q, q)
        return self._han(query, rules.canonical(q) if q not in self.exact else q)

    def _unrecognised(self, query: str, q: str, core: str) -> Answer:
        return Answer(query, q, None, None, "unrecognised", UNRECOGNISED, self.nearest(core))

    def examples(self, category: str, limit: int = 12) -> list[Entry]:
        """Well-established items of a category (most sources first): what goes in it."""
        cache: dict[str, list[Entry]] = self.__dict__.setdefault("_examples", {})
        if category not in cache:
            found = [
                e
                for key, e in self.exact.items()
                if e.category == category
                and e.agreed
                and e.kind == "item"
                and key == e.name
                and len(key) <= 4
            ]
            cache[category] = sorted(found, key=lambda e: (-e.weight, len(e.name), e.name))[:40]
        return cache[category][:limit]

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
        battery = self._battery(query, q, core)
        if battery:
            return battery
        # A real word is not a typo of a same-sounding one (油纸 is not 油脂): only a query the dictionary
        # does not know is corrected by sound.
        sounding = None if rules.is_word(core) else self._homophone(core)
        if sounding and sounding[1] == len(core):
            return self._answer(query, q, sounding[0], "homophone")
        return self._unlisted(query, q, core, sounding)

    def _battery(self, query: str, q: str, core: str) -> Answer | None:
        """The household-battery rule decides a battery the knowledge base does not name (七号电池, 南孚充电电池);
        the matched item is the longest known name in the query that the rule agrees with."""
        category = rules.battery_rule(core)
        if category is None:
            return None
        contained = self._longest_contained(core)
        entry: Entry | None = None
        if (
            contained
            and contained[1].category == category
            and contained[1].kind == "item"  # not 电池 itself: answered by kind, the rule has decided
            and "电池" in contained[0]
        ):
            entry = contained[1]
        else:  # the rule's own example in the list (keys are normalised: no brackets)
            entry = self.exact.get(normalize("干电池（无汞）" if category == "dry" else "充电电池"))
        if entry is None:
            return None
        return Answer(query, q, category, entry, "rule", CONFIDENCE["rule"])

    def _unlisted(self, query: str, q: str, core: str, sounding: tuple[Entry, int] | None) -> Answer:
        """No known name explains the whole query. The character model decides the category (on held-out
        names it beats a partial match whenever the two disagree); a partial match that agrees with it is
        reported as the matched item."""
        scores = self.model.predict(core)
        category = max(scores, key=lambda c: scores[c])
        head = self._head_noun(core)
        contained = self._longest_contained(core)
        fuzzy = self._fuzzy_han(core)
        # (entry, method, confidence): the head noun (the name the query ends with) first; a known name
        # elsewhere in the query is only a modifier of the thing (大衣 in 大衣柜).
        candidates: list[tuple[Entry, str, float]] = []
        if head:
            candidates.append((head[1], "phrase", AGREED))
        if contained and len(contained[0]) >= 2 and (head is None or contained[1] is not head[1]):
            modifier = not core.endswith(contained[0])
            candidates.append((contained[1], "phrase", MODIFIER_ONLY if modifier else AGREED))
        if sounding:
            candidates.append((sounding[0], "homophone", AGREED))
        if fuzzy:
            candidates.append((fuzzy[0], "fuzzy", AGREED))
        for entry, method, confidence in candidates:
            if entry.category == category:
                return Answer(query, q, category, entry, method, confidence, self.nearest(core), scores)
        if head and head[1].kind != "item":
            # Bulky waste and appliances are answered by what to do with them, whatever the bin model says.
            return Answer(query, q, head[1].category, head[1], "phrase", AGREED, self.nearest(core), scores)
        if not candidates and self._stranger(core):
            return self._unrecognised(query, q, core)
        alternatives = [(e, 0.0) for e, _m, _c in candidates] or self.nearest(core)
        return Answer(
            query, q, category, None, "predicted", calibrated(scores[category]), alternatives, scores
        )

    def _head_noun(self, q: str) -> tuple[str, Entry] | None:
        """The longest known name the query ends with (衣柜 in 大衣柜): in a Chinese compound the last word
        names the thing. Two characters at least, or a one-character name of bulky waste (床)."""
        for start in range(max(0, len(q) - self.max_len), len(q)):
            piece = q[start:]
            entry = self.exact.get(piece) or self.alias.get(piece)
            if entry and (len(piece) >= 2 or entry.kind != "item"):
                return piece, entry
        return None

    def _stranger(self, q: str) -> bool:
        """Not an item (asked only when no known name is in the query): text without a Chinese character
        that is no word (123, abc123, an emoji), letters no known name has (xyz in xyz火星石), a lone
        character that is no thing (我, 的), a syllable said over and over (哈哈哈, 布拉布拉), a word the dictionary knows as no thing
        (哈哈, 你好), or text that shares no two characters with a known name, is no word, and does not end
        the way any known name ends."""
        if not _HAN.search(q):
            # Letters alone were judged as pinyin or English before; one letter is no name.
            return not _LETTERS.match(q) or len(q) < 2
        if any(run not in self.latin_runs for run in _LATIN_RUN.findall(q)):
            return True
        if len(q) < 2:
            return rules.not_a_thing(q)  # 我, 的; a lone 鞋 or 葱 is a thing
        if len(q) >= 3 and any(len(q) % n == 0 and q == q[:n] * (len(q) // n) for n in (1, 2)):
            return True
        if rules.not_a_thing(q):
            return True
        if any(q[i : i + 2] in self.bigrams for i in range(len(q) - 1)):
            return False
        known = sum(c in self.model.vocab for c in q)
        return q[-1] not in self.by_head and not rules.is_word(q) and known * 2 < len(q)

    def _spellable(self, q: str) -> bool:
        """Latin letters that could be pinyin (whole syllables) or pinyin initials (short, almost no vowels):
        worth a guess from the character model. Anything else (qwerty, asdf) is not recognised."""
        if q[:4] in self.initial_prefixes:
            return True
        syllables = self.syllables
        reach = [True] + [False] * len(q)  # reach[i]: q[:i] splits into syllables
        for i in range(len(q)):
            if reach[i]:
                for j in range(i + 1, min(len(q), i + 6) + 1):
                    if q[i:j] in syllables:
                        reach[j] = True
        return reach[-1]

    def _longest_contained(self, q: str) -> tuple[str, Entry] | None:
        best: tuple[int, int, str] | None = None
        n = len(q)
        for i in range(n):
            for j in range(min(n, i + self.max_len), i + 1, -1):
                piece = q[i:j]
                if _LETTERS.match(piece) and any(_LETTERS.match(c) for c in q[i - 1 : i] + q[j : j + 1]):
                    continue  # letters inside a longer run of letters (cd in abcd) are no name
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
        content = [w for w in words if w not in rules.EN_STOP]
        # "a leftover food": without the articles first (leftover is also a modifier, so a stop word).
        plain = [w for w in words if w not in rules.EN_ARTICLES]
        if plain and plain != words and english_key(plain) in self.english:
            return self._answer(query, q, self.english[english_key(plain)], "english")
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
        translated = self._translated(query, q, content)
        if translated:
            return translated
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

    def _translated(self, query: str, q: str, words: list[str]) -> Answer | None:
        """An English compound answered as its Chinese equivalent: the words put into Chinese, longest known
        phrase first (milk tea → 奶茶, AA battery → 5号电池, phone battery → 手机电池), every word known, then
        the Chinese ladder (the battery rule, the compound's own name) — so "milk tea" is not "tea"."""
        keys = [singular(w) for w in words]
        pieces: list[str] = []
        i = 0
        while i < len(keys):
            for size in range(min(self.glossary_len, len(keys) - i), 0, -1):
                zh = self.glossary.get(" ".join(keys[i : i + size]))
                if zh:
                    pieces.append(zh)
                    i += size
                    break
            else:
                return None
        if len(keys) < 2:  # one word: its English name, if any, was looked up already
            return None
        zh_q = normalize("".join(pieces))[:MAX_QUERY]
        answer = self._han(query, rules.canonical(zh_q))
        if answer.item is None or answer.method not in ("exact", "alias", "phrase", "rule", "fuzzy"):
            return None
        if answer.confidence < AGREED * (0.9 if not answer.item.agreed else 1):
            return None  # only a modifier matched (塑料 in 塑料瓶): the English head noun says more
        if answer.method in ("exact", "alias"):
            return self._answer(query, q, answer.item, "english")
        answer.normalized = q
        return answer

    def surprising(self, category: str, limit: int = 30) -> list[tuple[Entry, str | None]]:
        """Items of a category that people get wrong: the character model confidently puts the name in another
        bin (returned with that bin), or public sources disagree (None). Computed once per index."""
        cache: dict[str, list[tuple[Entry, str | None]]] = self.__dict__.setdefault("_surprising", {})
        if category not in cache:
            found: list[tuple[Entry, str | None]] = []
            for key, entry in sorted(self.exact.items()):
                if entry.category != category or entry.kind == "depends":
                    continue  # an item answered by its kind (电池) is in no one bin
                if not entry.agreed:
                    # Disputed or flagged (guide.consistency): never taught as a "right" answer.
                    found.append((entry, None))
                    continue
                guess = self.model.predict(key)
                wrong = max(guess, key=lambda c: guess[c])
                if wrong != category and guess[wrong] > 0.8:
                    found.append((entry, wrong))
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
