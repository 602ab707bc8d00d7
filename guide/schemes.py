"""The two category schemes a deployment can pick from, as seed data for the knowledge base."""

from __future__ import annotations

from typing import Any, NamedTuple

SCHEMES: dict[str, dict[str, Any]] = {
    "shanghai": {
        "name": "上海市生活垃圾分类",
        "name_en": "Shanghai four-category scheme",
        "source": "《上海市生活垃圾管理条例》第四条; DB31/T 1127-2019 colours",
        "categories": [
            (
                "recyclable",
                "可回收物",
                "Recyclable",
                "#1f5fa8",
                "蓝",
                "轻投轻放；保持清洁干燥，避免污染；立体包装请清空内容物，压扁后投放。",
                "Keep it clean and dry; empty and flatten boxes, bottles and cans.",
            ),
            (
                "hazardous",
                "有害垃圾",
                "Hazardous waste",
                "#d7261e",
                "红",
                "轻投轻放；灯管、温度计等易破损的请连同包装投放；压力罐装容器请排空后投放。",
                "Put it in gently; keep lamps and thermometers in their packaging; empty aerosol cans first.",
            ),
            (
                "wet",
                "湿垃圾",
                "Wet waste",
                "#7b4b2a",
                "棕",
                "从产生时就与其他垃圾分开，沥干水分；去除包装物后投放，包装袋投入干垃圾。",
                "Drain it, take it out of its bag and put the bag in dry waste.",
            ),
            (
                "dry",
                "干垃圾",
                "Dry waste",
                "#222222",
                "黑",
                "尽量沥干水分；难以辨识类别的生活垃圾投入干垃圾容器。",
                "Drain it where possible; what you cannot classify goes here.",
            ),
        ],
        "subclasses": [],
    },
    "gb19095": {
        "name": "GB/T 19095-2019 生活垃圾分类标志",
        "name_en": "National standard GB/T 19095-2019",
        "source": "GB/T 19095-2019 (4 大类, 11 小类)",
        "categories": [
            (
                "recyclable",
                "可回收物",
                "Recyclable",
                "#0071bc",
                "蓝",
                "保持清洁干燥，压扁后投放。",
                "Clean, dry and flattened.",
            ),
            (
                "hazardous",
                "有害垃圾",
                "Hazardous waste",
                "#e60012",
                "红",
                "轻投轻放，防止破损和泄漏。",
                "Gently; no breakage or leaks.",
            ),
            (
                "wet",
                "厨余垃圾",
                "Food waste",
                "#00a04a",
                "绿",
                "沥干水分，去除包装后投放。",
                "Drained and unpacked.",
            ),
            (
                "dry",
                "其他垃圾",
                "Residual waste",
                "#6d6e71",
                "灰",
                "尽量沥干水分。",
                "Drained where possible.",
            ),
        ],
        "subclasses": [
            ("recyclable", "paper", "纸类", "Paper", "纸|报|书|杂志|纸箱|纸盒|快递盒|纸板"),
            ("recyclable", "plastic", "塑料", "Plastic", "塑料|瓶|桶|盆|泡沫"),
            ("recyclable", "metal", "金属", "Metal", "铁|铝|铜|钢|罐|锅|金属"),
            ("recyclable", "glass", "玻璃", "Glass", "玻璃|镜"),
            ("recyclable", "textile", "织物", "Textiles", "衣|裤|鞋|包|被|床单|毛巾|袜|布|窗帘"),
            ("hazardous", "lamp", "灯管", "Lamps", "灯管|灯泡|节能灯|荧光"),
            (
                "hazardous",
                "chemical",
                "家用化学品",
                "Household chemicals",
                "药|漆|杀虫|消毒|农药|试剂|胶片|指甲油|染发",
            ),
            ("hazardous", "battery", "电池", "Batteries", "电池"),
            ("wet", "household", "家庭厨余垃圾", "Household food waste", ""),
            ("wet", "catering", "餐厨垃圾", "Restaurant and canteen food waste", ""),
            ("wet", "other", "其他厨余垃圾", "Other food waste", ""),
        ],
    },
}


class Hint(NamedTuple):
    """A disposal hint for a kind of item: shown for an answer of `category` whose matched item's name contains
    one of `words` (or, with `ends`, ends with one: 手机 is a phone, 手机支架 is not). The first that fits wins;
    a category's catch-all (word "") comes last and says only what fits everything in that bin."""

    category: str
    words: tuple[str, ...]
    tip: str
    tip_en: str
    ends: bool = False

    def fits(self, category: str, name: str) -> bool:
        if category != self.category:
            return False
        name = name.lower()
        if self.ends:
            return any(name.endswith(w) for w in self.words)
        return any(w in name for w in self.words)


# Hints by kind of item, never one per category: the recyclable bin's "empty and flatten" is for packaging,
# not for a power bank (a lithium battery must not be crushed) or a gas canister. The category's own tip
# (Category.tip) is shown on the category's page and for a query naming the category, not for an item.
ITEM_TIPS: list[Hint] = [
    # Electronics with a built-in (lithium) battery. Shanghai's list puts them in recyclables whole; a loose
    # rechargeable battery is hazardous (the battery rule), which the hint says so the two answers agree.
    Hint(
        "recyclable",
        (
            "充电宝",
            "移动电源",
            "手机",
            "电脑",
            "相机",
            "耳机",
            "手表",
            "剃须刀",
            "电动牙刷",
            "音箱",
            "游戏机",
            "学习机",
            "无人机",
            "扫地机器人",
            "充电牙刷",
            "手电筒",
            "mp3",
            "ipad",
            "kindle",
        ),
        "内含锂电池的电子产品：请整件轻放，切勿拆解、挤压或压扁；鼓包、破损的请交回收网点。单独的充电电池属于有害垃圾。",
        "Electronics with a lithium battery: put it in whole and gently, never take it apart, crush or flatten "
        "it; hand a swollen or damaged one to a recycling point. A loose rechargeable battery is hazardous waste.",
        ends=True,
    ),
    Hint(
        "recyclable",
        # Anything under pressure, whatever its name ends with (剃须泡瓶 is a bottle, but never flattened).
        (
            "煤气罐",
            "瓦斯罐",
            "氢气罐",
            "燃气罐",
            "燃油罐",
            "压力罐",
            "钢瓶",
            "气罐",
            "喷雾",
            "泡瓶",
            "压缩",
            "灭火器",
            "发胶",
            "摩丝",
            "杀虫剂",
        ),
        "压力容器：确认已用尽排空，切勿挤压、刺穿或靠近火源。",
        "A pressure container: make sure it is empty; never crush or pierce it, keep it away from fire.",
    ),
    Hint(
        "recyclable",
        ("电瓶", "蓄电池"),
        "车用电瓶、蓄电池：整件交回收网点或商家回收，切勿拆解或倒出电解液。",
        "A vehicle or lead-acid battery: hand it in whole to a recycling point or the seller; never open it or "
        "pour out the acid.",
    ),
    Hint(
        "recyclable",
        ("瓶", "罐", "杯"),
        "倒空内容物并冲洗；塑料瓶、易拉罐可压扁，玻璃制品请轻放。",
        "Empty and rinse it; plastic bottles and cans may be flattened, glass is put in gently.",
    ),
    Hint(
        "recyclable", ("纸箱", "快递盒", "纸盒"), "拆平并撕去胶带后投放。", "Flatten it and remove the tape."
    ),
    Hint(
        "recyclable",
        ("衣", "裤", "鞋", "被"),
        "洗净打包后投放，或放入旧衣回收箱。",
        "Wash and bag it, or use a clothes bank.",
    ),
    Hint(
        "recyclable", ("",), "轻投轻放；保持清洁干燥，避免污染。", "Put it in gently; keep it clean and dry."
    ),
    Hint(
        "hazardous",
        ("灯管", "灯泡", "节能灯", "温度计"),
        "连同包装轻放，防止破碎。",
        "In its packaging, gently, unbroken.",
    ),
    Hint("hazardous", ("药",), "连同包装一起投放。", "With its packaging."),
    # Each tip agrees with its own answer (issue 18): the hazardous battery tip does not send dry cells away.
    Hint(
        "hazardous",
        ("电池",),
        "充电电池、纽扣电池、含汞电池属于有害垃圾，请轻放，防止破损。",
        "Rechargeable, button and mercury batteries are hazardous: put them in gently, unbroken.",
    ),
    Hint("hazardous", ("",), "轻投轻放，防止破损和泄漏。", "Put it in gently; no breakage or leaks."),
    Hint(
        "dry",
        ("电池",),
        "普通无汞干电池（5号、7号等）投干垃圾，无需单独收集。",
        "Ordinary mercury-free dry cells (AA, AAA…) are dry waste; no separate collection needed.",
    ),
    Hint("dry", ("",), "尽量沥干水分后投放。", "Drain it where possible."),
    Hint(
        "wet", ("汤", "粥", "奶", "酸奶", "饮料", "茶"), "先倒掉液体，沥干后投放。", "Pour off liquids first."
    ),
    Hint("wet", ("",), "去掉塑料袋后投放，袋子投干垃圾。", "Without the bag; the bag goes to dry waste."),
]
