"""What a query means before it is matched: category names, numerals, brands, the household-battery rule,
and whether a word is a real word (jieba's dictionary) rather than a typo of a known name.

Pure functions over normalised text (see guide.engine.normalize); no database.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from pathlib import Path

# Both schemes' names for the four categories (Shanghai 2019 regulation Art. 4; GB/T 19095-2019), plus the
# common spoken ones. A query naming a category asks what goes in it, not which bin it goes to.
CATEGORY_NAMES = {
    "湿垃圾": "wet",
    "厨余垃圾": "wet",
    "易腐垃圾": "wet",
    "餐厨垃圾": "wet",
    "干垃圾": "dry",
    "其他垃圾": "dry",
    "其它垃圾": "dry",
    "残余垃圾": "dry",
    "可回收物": "recyclable",
    "可回收垃圾": "recyclable",
    "有害垃圾": "hazardous",
    "wetwaste": "wet",
    "foodwaste": "wet",
    "kitchenwaste": "wet",
    "drywaste": "dry",
    "residualwaste": "dry",
    "recyclable": "recyclable",
    "recyclables": "recyclable",
    "hazardouswaste": "hazardous",
}
_CATEGORY_QUESTION = re.compile(r"(?:有哪些|包括哪些|包括什么|是什么|指什么|是指什么|有什么|桶)+$")

_NUMERALS = {
    "一": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_NUMBERED = re.compile(r"([一二两三四五六七八九])号")
# AA / AAA are the English names of 5号 / 7号 cells.
_CELL_SIZE = re.compile(r"(?<![a-z])(aaa|aa)(?=电池)")
# A trailing count ("电池两节", "瓶子3个"): the unit word says how many, not what.
_TRAILING_COUNT = re.compile(
    r"[0-9一二两三四五六七八九十几]+[个只支瓶袋包盒张块根片颗粒条件双把台罐杯节卷]装?$"
)

# Brands of ordinary household dry cells (alkaline / zinc-carbon): "南孚电池" is an alkaline cell.
BATTERY_BRANDS = ("南孚", "双鹿", "金霸王", "超霸", "劲量", "白象", "雷欧", "光宇")
# Other brands people type before the thing itself; the brand says nothing about the bin.
BRANDS = {
    "公牛": "",
    "飞利浦": "",
    "欧普": "",
    "雷士": "",
    "农夫山泉": "矿泉水",
    "怡宝": "矿泉水",
    "百岁山": "矿泉水",
    "可口可乐": "可乐",
    "百事可乐": "可乐",
    "雪碧": "饮料",
    "康师傅": "",
    "统一": "",
}


# English words that describe or frame an item rather than name it ("a used battery", "where does it go").
EN_STOP = set(
    [
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
    ]
)

EN_ARTICLES = {"a", "an", "the", "some", "my", "this", "that", "used", "old"}

# English words for what a compound's Chinese name is made of (singular, lower case): an English query the
# knowledge base has no English name for is put into Chinese word by word (AA battery → 5号电池, phone battery
# → 手机电池, coffee cup → 咖啡杯) and answered as the Chinese is — the battery rule and the compound's head
# noun included — before its last word alone is matched ("tea" in "milk tea"). Items' own English names
# (data/english.csv) are the rest of the glossary; these come first for a single word.
EN_WORDS = {
    "aa": "5号",
    "aaa": "7号",
    "rechargeable": "充电",
    "lithium": "锂",
    "alkaline": "碱性",
    "button": "纽扣",
    "mercury": "含汞",
    "mercury free": "无汞",
    "car": "汽车",
    "laptop": "笔记本电脑",
    "camera": "相机",
    "dry": "干",
    "ordinary": "普通",
    "regular": "普通",
    "normal": "普通",
    "cell": "电池",
    "milk": "牛奶",
    "coffee": "咖啡",
    "tea": "茶",
    "milk tea": "奶茶",
    "bubble tea": "奶茶",
    "cup": "杯",
    "paper": "纸",
    "plastic": "塑料",
    "glass": "玻璃",
    "takeaway": "外卖",
    "takeout": "外卖",
    "box": "盒",
    "bottle": "瓶",
    "phone": "手机",
    "mobile": "手机",
}


def category_named(q: str) -> str | None:
    """The category key when the (normalised) query names a category: 干垃圾, 厨余垃圾有哪些, dry waste."""
    return CATEGORY_NAMES.get(_CATEGORY_QUESTION.sub("", q) or q)


def canonical(q: str) -> str:
    """Numerals, cell sizes, brands and trailing counts written the way the knowledge base names things:
    五号电池 → 5号电池, aa电池 → 5号电池, 南孚电池 → 碱性电池, 公牛插座 → 插座."""
    q = _NUMBERED.sub(lambda m: _NUMERALS[m.group(1)] + "号", q)
    q = _CELL_SIZE.sub(lambda m: "7号" if m.group(1) == "aaa" else "5号", q)
    for brand in BATTERY_BRANDS:
        if brand in q and "电池" in q:
            rest = q.replace(brand, "")
            q = "碱性电池" if rest == "电池" else rest
    for brand, replacement in BRANDS.items():
        if brand in q and q != brand:
            q = q.replace(brand, replacement) or q
    stripped = _TRAILING_COUNT.sub("", q)
    return stripped or q


# The Shanghai battery rule (2019 guide; the office's published Q&A): ordinary mercury-free dry cells are dry
# waste; rechargeable, button and mercury cells are hazardous.
_MERCURY = ("含汞", "水银")
_HAZARDOUS_CELL = (
    "充电",
    "可充",
    "纽扣",
    "钮扣",
    "汞",
    "锂",
    "镍",
    "镉",
    "铅",
    "蓄",
    "手机",
    "笔记本",
    "电脑",
    "相机",
    "太阳能",
    "电动",
    "电瓶",
    "汽车",
    "氧化银",
)
_DRY_CELL = re.compile(r"\d号|碱性|碳性|锌锰|干电池|无汞|普通电池|一次性电池|家用电池")


def battery_rule(q: str) -> str | None:
    """'dry' or 'hazardous' for a household battery the rule decides; None when the name does not say."""
    if "电池" not in q:
        return None
    if any(w in q for w in _MERCURY):
        return "hazardous"
    if "无汞" in q:
        return "dry"
    if any(w in q for w in _HAZARDOUS_CELL):
        return "hazardous"
    if _DRY_CELL.search(q):
        return "dry"
    return None


# --- the lexicon -----------------------------------------------------------------------------------------

# jieba's dictionary (word, frequency, part of speech): a word it lists with this frequency or more is a real
# word, not a typo of a same-sounding one (油纸 is greaseproof paper, not 油脂).
MIN_FREQUENCY = 5
# Onomatopoeia, interjections, particles, conjunctions, prepositions, adverbs, pronouns, idioms, fixed
# expressions, verbs, adjectives, time words: asked only when nothing in the knowledge base resembles the text.
_NOT_THINGS = ("o", "e", "y", "u", "c", "p", "d", "r", "i", "l", "v", "a", "t")
_lock = threading.Lock()
_loaded: list[dict[str, str]] = []  # the lexicon, once read


def _lexicon() -> dict[str, str]:
    """Word → part of speech for every word (single characters too: 的, 我) of jieba's dict.txt with a Han
    character, read once per process at the first lookup that needs it (a second thread waits for the first
    rather than reading it again).
    The file is found without importing jieba, whose package loads its HMM tables at import: unused here."""
    if not _loaded:
        with _lock:
            if not _loaded:
                words: dict[str, str] = {}
                with _dict_path().open(encoding="utf-8") as f:
                    for line in f:
                        parts = line.split()
                        if len(parts) >= 2 and int(parts[1]) >= MIN_FREQUENCY:
                            words[parts[0]] = parts[2] if len(parts) > 2 else ""
                _loaded.append(words)
    return _loaded[0]


def _dict_path() -> Path:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("jieba (its dict.txt) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def is_word(text: str) -> bool:
    return text in _lexicon()


# Words people type that name no thing, which the dictionary tags as nouns or names (谢谢 is a personal name
# there, 东西 "a thing" a noun).
NOT_THINGS = {"谢谢", "东西", "不知道", "不清楚", "随便", "没有", "不是"}


def not_a_thing(text: str) -> bool:
    """True when the dictionary knows the text as a non-noun word: 哈哈 (onomatopoeia), 你好, 再见, 的, 我 —
    or it is one of NOT_THINGS (谢谢, 东西)."""
    if text in NOT_THINGS:
        return True
    tag = _lexicon().get(text)
    return tag is not None and tag.startswith(_NOT_THINGS)
