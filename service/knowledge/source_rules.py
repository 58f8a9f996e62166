"""Per-document cleaning rules for the five scraped handbooks in ``knowledge/sources``.

Each source lost its structure in a different way, so each gets a :class:`DocRule` saying what
the generic pipeline in :mod:`service.knowledge.cleaning` cannot guess: the title, extra chrome,
where a flattened line must be broken, and which unnumbered lines are section titles. Patterns
are plain ``re`` syntax; heading patterns must match the whole heading line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocRule:
    """What is specific to one source document."""

    title: str
    #: Other spellings of the title that are dropped when they stand alone (repeats of the H1).
    title_repeats: tuple[str, ...] = ()
    #: Extra whole-line boilerplate patterns (on top of the generic ones).
    drop_lines: tuple[str, ...] = ()
    #: (pattern, replacement) applied to the whole text: running headers, page numbers, TOC.
    replacements: tuple[tuple[str, str], ...] = ()
    #: A line break is inserted before every match (paragraph starts in flattened text).
    breaks: tuple[str, ...] = ()
    #: (pattern, style): the match is put on its own line and becomes a heading of that style.
    headings: tuple[tuple[str, str], ...] = ()
    #: All heading styles used, outermost first; the order decides nesting.
    heading_styles: tuple[str, ...] = ()
    #: Numbering styles detected automatically (subject to length and sentence tests).
    auto_headings: tuple[str, ...] = ()
    #: Styles pinned to a Markdown level; the others nest one below their parent.
    fixed_levels: dict[str, int] = field(default_factory=dict)
    max_heading_len: int = 30
    #: OCR text: a space between two CJK characters is a line-wrap, not a word gap.
    join_cjk_spaces: bool = False
    #: Split paragraphs longer than this at sentence ends (flattened sources only).
    paragraph_limit: int = 0
    #: Lines (slide navigation bars) that are kept at their first occurrence only.
    keep_first_only: tuple[str, ...] = ()
    #: In-line separator standing for a line break; the piece before the first one is a topic.
    segment_sep: str = ""


def _decimal(number: str, title: str) -> tuple[str, str]:
    """Heading pattern for ``2.3.1 title`` tolerating the OCR's spaces (``2. 3.1 title``)."""
    digits = number.split(".")
    return r"\s?\.\s?".join(digits) + r"\s?" + re.escape(title), f"decimal{len(digits)}"


# 001 is OCR of a paginated Word file run into one line; its page furniture is removed first.
_HEADER_001 = "深圳市兴天下科技有限公司销售业务手册"

RULE_001 = DocRule(
    title="销售业务手册",
    replacements=(
        # Table of contents (titles with page numbers), up to the page number of its page.
        (r"目 ?录第一部分销售业务流程图.*?表六:准客户申报表-43-5-", ""),
        # Page numbers such as "-13 -" (before the headers that follow them); "A?" is the logo
        # where the header text itself was lost.
        (r"-\d{1,2} ?-(?:A\?)?", ""),
        # Running page headers; the OCR read the logo as ":卞", "-#-项' 下", "A下".
        (r"-#-项' 下" + _HEADER_001, ""),
        (r":卞 ?" + _HEADER_001, ""),
        (r"-?A下" + _HEADER_001, ""),
        (r"销售业务手册天下深圳市兴天下科技有限公司 ?", ""),
    ),
    join_cjk_spaces=True,
    breaks=(
        r"(?<=[^\d\s.、])(?=\d{1,2}、)",
        r"(?<=[^\d\s.])(?=\d\.(?!\s?\d))",
        r"(?=\(\d\) ?\S)",
        r"(?=(?:举例|措施):)",
    ),
    headings=(
        ("保密约定", "title"),
        ("兴天下销售寓言故事", "title"),
        ("序言", "title"),
        ("第一部分销售业务流程图", "part"),
        ("第二部分销售过程分解", "part"),
        _decimal("2.1.1", "客户类型描述"),
        (r"1、单独采购。", "num_dun"),
        (r"\(1\) 项目型地产公司", "paren_num"),
        (r"\(2\) 区域型地产公司", "paren_num"),
        (r"\(3\) 各区域独立采购的集团分公司", "paren_num"),
        (r"\(1\) 跨区域多项目地产公司", "paren_num"),
        (r"\(2\) 单次采购的集团地产公司", "paren_num"),
        (r"3、战略采购", "num_dun"),
        _decimal("2.1.2", "信息收集方式"),
        (r"\(\)主动式", "cn_paren"),
        (r"\(二\)被动式", "cn_paren"),
        _decimal("2.1.3", "信息收集要求"),
        _decimal("2.2", "客户信息筛选、汇总"),
        _decimal("2.2.1", "普通信息信息筛选"),
        _decimal("2.2.2", "普通信息核实、汇总"),
        _decimal("2.2.3", "普通信息分配方式"),
        _decimal("2.3", "客户信息跟进"),
        _decimal("2.3.1", "客户拜访"),
        _decimal("2.3.1.1", "客户联络"),
        _decimal("2.3.1.2", "客户拜访计划"),
        (r"1、客户拜访的目的", "num_dun"),
        (r"2、客户拜访计划的主要考虑因素", "num_dun"),
        (r"3、制定客户拜访计划表", "num_dun"),
        (r"4、客户拜访准备", "num_dun"),
        _decimal("2.3.1.3", "客户拜访"),
        (r"1、拜访实施:", "num_dun"),
        (r"3、发展内线", "num_dun"),
        _decimal("2.3.1.4", "进展分析"),
        _decimal("2.3.2", "有效信息深度拜访"),
        _decimal("2.3.2.1", "了解客户组织结构"),
        (r"1、集团结构", "num_dun"),
        (r"2、企业内部职能结构", "num_dun"),
        _decimal("2.3.2.2", "了解客户采购流程"),
        _decimal("2.3.2.3", "客户关键角色定位"),
        _decimal("2.3.2.4", "关系节点判断"),
        _decimal("2.3.3", "客户跟进循环"),
        _decimal("2.4", "客户信息分析、评估"),
        _decimal("2.4.1", "准客户筛选"),
        _decimal("2.4.2", "准客户类型评估模型"),
        (r"1、战略客户:", "num_dun"),
        (r"2、重要客户:", "num_dun"),
        (r"3、普通客户:", "num_dun"),
    ),
    heading_styles=(
        "title",
        "part",
        "decimal2",
        "decimal3",
        "decimal4",
        "cn_paren",
        "num_dun",
        "paren_num",
    ),
    fixed_levels={"title": 2, "part": 2, "decimal2": 3, "decimal3": 4, "decimal4": 5},
    paragraph_limit=220,
)

RULE_000 = DocRule(
    title="大客户营销手册",
    heading_styles=("cn", "num_dun", "num_halfparen"),
    auto_headings=("cn", "num_dun", "num_halfparen"),
)

# 002 is a slide deck flattened into one line. Slides repeat a navigation bar; its first
# occurrence is kept (the part-one bar becomes that part's heading), later copies are dropped.
_NAV_1 = "一、客户关系管理备己配套体制评估价值分级档次档案管理差异服务"
_NAV_2 = (
    "二、大客户营销知己知彼做对人找对人说对话做对事",
    "二、大客户营销知己做对人",
    "二、大客户营销知彼找对人说对话做对事",
)

RULE_002 = DocRule(
    title="客户关系管理与大客户营销",
    replacements=((r"(?<!政策机制)" + _NAV_1, "\n"),),
    breaks=(
        # the repeated deck title and the agenda slide
        r"(?<=客户关系管理与大客户营销)(?=谁是我的对象)",
        r"客户关系管理与大客户营销(?=一、客户关系管理二)",
        r"(?<=客户关系管理与大客户营销)(?=一、客户关系管理二)",
        r"(?<=二、大客户营销)备己知己知彼",
        r"(?<=备己配套体制评估价值分级档次档案管理差异服务)(?=跳得着)",
        *(re.escape(n) for n in _NAV_2),
        *(rf"(?<={re.escape(n)})" for n in _NAV_2),
        # enumerations: "1、", "2.", "3)" (not inside numbers such as "2.5亿" or "MP3、")
        r"(?<=[^\dA-Za-z.、=+])(?=\d{1,2}、)",
        r"(?<=[^\dA-Za-z.、=+/])(?=\d\.(?!\d))",
        r"(?<=[^\dA-Za-z(])(?=\d\)\D)",
        # recurring slide captions that start a new block of text
        r"(?<!相关)(?=案例分析|案例概要|案例:)",
        r"(?=举例说明|互动——|互动问题|互动突破|客户满意度:|客户忠诚度:|异议:——|结束语|异议处理:LSCPA)",
        r"(?=CRM理念|客户关系管理定义|小本子上的秘密|体制=\?)",
        r"(?=(?:80/20法则|6C评估|5P评估|6A评估)(?:=|:))",
        r"(?<=×\(机×缘\))(?=找对人)",
        r"(?<=LSCPA )(?=做对事)",
        r"(?<=明竞者)(?=说对话)",
    ),
    headings=(
        (r"(?<=\?\?\?\?)CRM理念", "slide"),
        (r"(?<=对事)客户关系管理定义", "slide"),
        (r"客户关系管理目标", "slide"),
        (r"客户关系管理作用与功能", "slide"),
        (r"CRM软件模块功能", "slide"),
        (r"(?<=政策机制)一、客户关系管理", "part"),
        (r"二、大客户营销(?=做对人=)", "part"),
        (r"评估价值=年进货额\+[^一]*?影响推荐", "section"),
        (r"分级档次=依据价值\+[^一]*?信用分级", "section"),
        (r"档案管理=基础资料\+[^一]*?专人负责", "section"),
        (r"差异服务=定位需求\+[^一]*?增值服务", "section"),
        (r"做对人=\(心理\+知识\+能力\+品德\+身体\)×机缘", "section"),
        (r"找对人 =明架构\+[^发]*?明竞者", "section"),
        (r"说对话=SPIN\+FABE\+LSCPA", "section"),
        (r"做对事=战略趋势\+[^方]*?项目运作", "section"),
    ),
    heading_styles=("part", "section", "slide"),
    max_heading_len=60,
    keep_first_only=_NAV_2,
    paragraph_limit=200,
)

RULE_003 = DocRule(
    title="搞定团购客户",
    title_repeats=("[大客户管理] 搞定团购客户",),
    drop_lines=(r"^飞针走绣网$",),
    headings=tuple(
        (t, "title") for t in ("客户分类管理", "根据需求定制套餐", "组织系统支持", "交互式大客户开发")
    ),
    heading_styles=("title",),
)

# 004 is three notes pasted together; ">>" in the third stands for a line break.
_TOPICS_004 = (
    "店铺环境和气氛营造",
    "商品结构和补货能力",
    "品类驱动和丰满陈列",
    "主题促销和活动方案",
    "专业知识和销售技能",
    "商品质量和产品价格",
    "零售效率和会员管理",
    "优势服务和零售管理",
    "开局定位九宫格",
    "案例复盘",
)

RULE_004 = DocRule(
    title="大客户销售入门36课,第3课销售的逻辑是什么",
    drop_lines=(r",第\d+张$",),  # image caption
    segment_sep=">>",
    headings=(
        (r"(?m)^如何提高销售和增加客流$", "article"),
        (r"(?m)^大客户销售:谋攻之道笔记$", "article"),
        (r"(?m)^如何提高销售和增加客流\d$", "article_part"),
        *((rf"(?m)^{t}(?=$|凡事预则立|看别人的成功经验)", "topic") for t in _TOPICS_004),
        # the five dimensions of the "五维模型"
        (r"(?<=>>)第[一二三四五]维 [^>]+?(?=>>)", "dimension"),
    ),
    heading_styles=("article", "article_part", "part", "chapter", "cn", "topic", "dimension", "num_dot"),
    auto_headings=("part", "chapter", "cn", "topic", "num_dot"),
    max_heading_len=40,
)

RULES: dict[str, DocRule] = {
    "000": RULE_000,
    "001": RULE_001,
    "002": RULE_002,
    "003": RULE_003,
    "004": RULE_004,
}
