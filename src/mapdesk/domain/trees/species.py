"""Common tree species of northern Chinese cities, with leaf habit, English and Latin names.

Grading needs the leaf habit (deciduous or evergreen) for the urban-big-tree size rules; a
registry often leaves the 叶性 column empty, so the habit is looked up from the species here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DECIDUOUS = "deciduous"
EVERGREEN = "evergreen"
LEAF_HABITS = {DECIDUOUS: ("Deciduous", "落叶"), EVERGREEN: ("Evergreen", "常绿")}


@dataclass(frozen=True)
class Species:
    name_zh: str
    name_en: str
    latin: str
    habit: str  # "deciduous" | "evergreen"
    aliases: tuple[str, ...] = ()


_D, _E = DECIDUOUS, EVERGREEN

SPECIES: tuple[Species, ...] = (
    Species("国槐", "Chinese scholar tree", "Styphnolobium japonicum", _D, ("槐树", "槐", "中国槐", "家槐", "Sophora japonica")),
    Species("龙爪槐", "Weeping scholar tree", "Styphnolobium japonicum 'Pendula'", _D, ("垂槐", "盘槐")),
    Species("刺槐", "Black locust", "Robinia pseudoacacia", _D, ("洋槐",)),
    Species("油松", "Chinese pine", "Pinus tabuliformis", _E, ("短叶松", "红皮松", "Pinus tabulaeformis")),
    Species("白皮松", "Lacebark pine", "Pinus bungeana", _E, ("白骨松", "蛇皮松")),
    Species("华山松", "Armand pine", "Pinus armandii", _E),
    Species("樟子松", "Mongolian Scots pine", "Pinus sylvestris var. mongolica", _E),
    Species("侧柏", "Oriental arborvitae", "Platycladus orientalis", _E, ("扁柏", "香柏", "Thuja orientalis")),
    Species("圆柏", "Chinese juniper", "Juniperus chinensis", _E, ("桧柏", "桧", "刺柏", "Sabina chinensis")),
    Species("龙柏", "Dragon juniper", "Juniperus chinensis 'Kaizuca'", _E),
    Species("雪松", "Deodar cedar", "Cedrus deodara", _E),
    Species("青杄", "Wilson spruce", "Picea wilsonii", _E, ("青扦", "云杉")),
    Species("白杄", "Meyer spruce", "Picea meyeri", _E, ("白扦",)),
    Species("女贞", "Glossy privet", "Ligustrum lucidum", _E),
    Species("大叶黄杨", "Japanese spindle", "Euonymus japonicus", _E, ("冬青卫矛",)),
    Species("落叶松", "Prince Rupprecht's larch", "Larix principis-rupprechtii", _D, ("华北落叶松",)),
    Species("水杉", "Dawn redwood", "Metasequoia glyptostroboides", _D),
    Species("榆树", "Siberian elm", "Ulmus pumila", _D, ("白榆", "家榆", "榆")),
    Species("旱柳", "Chinese willow", "Salix matsudana", _D, ("柳树", "河柳", "柳")),
    Species("垂柳", "Weeping willow", "Salix babylonica", _D),
    Species("毛白杨", "Chinese white poplar", "Populus tomentosa", _D, ("白杨", "大叶杨")),
    Species("小叶杨", "Simon poplar", "Populus simonii", _D),
    Species("加杨", "Carolina poplar", "Populus × canadensis", _D, ("加拿大杨",)),
    Species("新疆杨", "Bolle's poplar", "Populus alba var. pyramidalis", _D),
    Species("银杏", "Ginkgo", "Ginkgo biloba", _D, ("白果树", "公孙树", "白果")),
    Species("臭椿", "Tree of heaven", "Ailanthus altissima", _D, ("椿树", "樗")),
    Species("香椿", "Chinese mahogany", "Toona sinensis", _D),
    Species("楸树", "Manchurian catalpa", "Catalpa bungei", _D, ("楸",)),
    Species("梓树", "Chinese catalpa", "Catalpa ovata", _D),
    Species("皂荚", "Chinese honey locust", "Gleditsia sinensis", _D, ("皂角", "皂角树", "皂荚树")),
    Species("枣树", "Jujube", "Ziziphus jujuba", _D, ("枣", "红枣")),
    Species("丁香", "Early lilac", "Syringa oblata", _D, ("紫丁香", "华北紫丁香")),
    Species("暴马丁香", "Japanese tree lilac", "Syringa reticulata subsp. amurensis", _D),
    Species("白蜡", "Chinese ash", "Fraxinus chinensis", _D, ("白蜡树", "梣")),
    Species("洋白蜡", "Green ash", "Fraxinus pennsylvanica", _D),
    Species("悬铃木", "London plane", "Platanus × acerifolia", _D, ("法桐", "法国梧桐", "二球悬铃木", "英国梧桐")),
    Species("核桃", "Persian walnut", "Juglans regia", _D, ("胡桃", "核桃树")),
    Species("杜仲", "Hardy rubber tree", "Eucommia ulmoides", _D),
    Species("桑树", "White mulberry", "Morus alba", _D, ("桑",)),
    Species("柿树", "Persimmon", "Diospyros kaki", _D, ("柿",)),
    Species("君迁子", "Date-plum", "Diospyros lotus", _D, ("黑枣",)),
    Species("杏树", "Apricot", "Prunus armeniaca", _D, ("杏",)),
    Species("梨树", "Chinese white pear", "Pyrus bretschneideri", _D, ("梨", "白梨")),
    Species("杜梨", "Birchleaf pear", "Pyrus betulifolia", _D),
    Species("西府海棠", "Midget crabapple", "Malus × micromalus", _D, ("海棠",)),
    Species("山楂", "Chinese hawthorn", "Crataegus pinnatifida", _D),
    Species("合欢", "Silk tree", "Albizia julibrissin", _D, ("绒花树",)),
    Species("栾树", "Goldenrain tree", "Koelreuteria paniculata", _D),
    Species("元宝枫", "Purpleblow maple", "Acer truncatum", _D, ("元宝槭", "平基槭")),
    Species("五角枫", "Painted maple", "Acer pictum subsp. mono", _D, ("色木槭",)),
    Species("文冠果", "Yellowhorn", "Xanthoceras sorbifolium", _D),
    Species("玉兰", "Yulan magnolia", "Yulania denudata", _D, ("白玉兰", "Magnolia denudata")),
    Species("黄栌", "Smoke tree", "Cotinus coggygria", _D),
    Species("泡桐", "Princess tree", "Paulownia tomentosa", _D, ("毛泡桐",)),
    Species("梧桐", "Chinese parasol tree", "Firmiana simplex", _D, ("青桐",)),
    Species("朴树", "Chinese hackberry", "Celtis sinensis", _D),
    Species("小叶朴", "Bunge hackberry", "Celtis bungeana", _D, ("黑弹树",)),
    Species("榉树", "Japanese zelkova", "Zelkova serrata", _D),
    Species("槲树", "Daimyo oak", "Quercus dentata", _D),
    Species("栓皮栎", "Chinese cork oak", "Quercus variabilis", _D),
    Species("辽东栎", "Liaotung oak", "Quercus wutaishanica", _D),
    Species("板栗", "Chinese chestnut", "Castanea mollissima", _D, ("栗树",)),
    Species("紫薇", "Crape myrtle", "Lagerstroemia indica", _D),
)

# Genus-level names seen in registries: the habit is still known (all 柏 are evergreen).
_GENERIC: dict[str, Species] = {
    "柏树": Species("柏树", "Cypress (unspecified)", "Cupressaceae", _E, ("柏",)),
    "松树": Species("松树", "Pine (unspecified)", "Pinus sp.", _E, ("松",)),
    "杨树": Species("杨树", "Poplar (unspecified)", "Populus sp.", _D, ("杨",)),
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    # "国槐（槐树）" / "国槐 Sophora japonica": keep the first name only
    text = re.split(r"[(（\[【]", text, maxsplit=1)[0]
    return re.sub(r"[\s'\"‘’“”]+", " ", text).strip()


def _build_index() -> dict[str, Species]:
    index: dict[str, Species] = {}
    for sp in (*SPECIES, *_GENERIC.values()):
        for name in (sp.name_zh, sp.name_en, sp.latin, *sp.aliases):
            index.setdefault(_key(name), sp)
    return index


_INDEX = _build_index()


def lookup_species(name: object) -> Species | None:
    """Find a species by Chinese name, alias, English or Latin name; ``None`` when unknown.

    >>> lookup_species("法桐").latin
    'Platanus × acerifolia'
    """
    if name is None or (isinstance(name, float) and name != name):
        return None
    text = str(name)
    if not text.strip():
        return None
    key = _key(text)
    hit = _INDEX.get(key)
    if hit is None and key.endswith("树") and len(key) > 1:
        hit = _INDEX.get(key[:-1])
    if hit is None:
        # "古侧柏", "侧柏树1号" and the like: the longest known Chinese name inside the text
        best = None
        for name_key, sp in _INDEX.items():
            if len(name_key) >= 2 and not name_key.isascii() and name_key in key:
                if best is None or len(name_key) > len(best[0]):
                    best = (name_key, sp)
        hit = best[1] if best else None
    return hit


def species_habit(name: object) -> str | None:
    """Leaf habit ("deciduous" / "evergreen") of a species name, or ``None`` if not in the table."""
    sp = lookup_species(name)
    return sp.habit if sp else None


def habit_label(habit: str | None, lang: str = "en") -> str:
    if habit not in LEAF_HABITS:
        return "unknown" if not lang.startswith("zh") else "未知"
    en, zh = LEAF_HABITS[habit]
    return zh if lang.startswith("zh") else en
