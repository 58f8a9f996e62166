"""Behaviour of the handbook cleaner (service.knowledge.cleaning) and of its committed output."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from service.knowledge.cleaning import (
    clean_source,
    heading_style,
    is_boilerplate,
    join_cjk_spaces,
    looks_like_heading,
    normalize_heading,
    normalize_whitespace,
    rebuild_knowledge,
    remove_artefacts,
    split_long_paragraph,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "knowledge" / "sources"
HANDBOOKS = ROOT / "knowledge" / "handbooks"
DOC_IDS = ("000", "001", "002", "003", "004")


def _handbook(doc_id: str) -> str:
    return (HANDBOOKS / f"{doc_id}.md").read_text(encoding="utf-8")


def _source(doc_id: str) -> str:
    (path,) = SOURCES.glob(f"{doc_id}_*.txt")
    return path.read_text(encoding="utf-8")


def _key(text: str) -> str:
    """The evaluation's matching rule: NFKC, then drop whitespace, punctuation and symbols."""
    normal = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in normal if not ch.isspace() and unicodedata.category(ch)[0] not in "PS")


# --- the committed data -------------------------------------------------------------------


def test_rebuild_reproduces_committed_handbooks(tmp_path: Path) -> None:
    written = rebuild_knowledge(SOURCES, tmp_path)
    assert [p.name for p in written] == [f"{d}.md" for d in DOC_IDS]
    for path in written:
        assert path.read_bytes() == (HANDBOOKS / path.name).read_bytes(), path.name


def test_clean_source_is_deterministic() -> None:
    raw = _source("002")
    assert clean_source("002", raw) == clean_source("002", raw)


BOILERPLATE = {
    "000": [
        "上传时间",
        "上传人",
        "第1页 / 共10页",
        "_第2页",
        "点击查看更多",
        "下载资源",
        "资源描述",
        "由会员分享",
        "展开阅读全文",
        "相关资源",
        "猜你喜欢",
        "相关搜索",
        "当前位置",
        "copyright@",
        "冰豆网",
        "ICP",
        "经营许可证",
        ".docx",
    ],
    "001": [
        "深圳市兴天下科技有限公司销售业务手册",
        ":卞",
        "-#-项' 下",
        "A下",
        "目 录",
        "-13 -",
        "-5-",
        "-17 -",
        "-43-",
        "表六:准客户申报表",
        ".docx",
    ],
    "002": [
        "196.00 KB",
        "发布",
        "86页",
        "本文档",
        "收益归属",
        "举报电话",
        "19940600175",
        "<#004699",
        "004699",
        "8>",
        "<",
        ">",
    ],
    "003": [
        "设为首页",
        "飞针走绣网",
        "找回密码",
        "立即注册",
        "QQ登录",
        "扫一扫",
        "淘宝优惠券",
        "查看: 1899",
        "[复制链接]",
        "发表于",
        "显示全部楼层",
        "楼主",
        "登录后才可以回帖",
        "本版积分规则",
        "免责声明",
        "论坛创建于",
        "拒绝任何人",
        "快速回复",
        "返回顶部",
        "[大客户管理]",
    ],
    "004": [
        "第1张",
        "欢迎分享",
        "转载请注明来源",
        "内存溢出",
        "原文地址",
        "outofmemory",
        "打赏 微信",
        "支付宝扫一扫",
        "上一篇",
        "下一篇",
        "发表评论",
        "登录后才能评论",
        "评论列表",
        ">>",
        "[插图]",
    ],
}


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_boilerplate_removed(doc_id: str) -> None:
    text = _handbook(doc_id)
    for junk in BOILERPLATE[doc_id]:
        assert junk in _source(doc_id), f"test string {junk!r} should come from the raw file"
        assert junk not in text, junk


def test_002_repeated_navigation_bar_kept_once() -> None:
    text = _handbook("002")
    assert text.count("备己配套体制评估价值分级档次档案管理差异服务") == 1
    assert text.count("二、大客户营销知彼找对人说对话做对事") == 1


CONTENT = {
    "000": [
        "任何一个大项目,其决策小组都包括四类决策者,即采购指导、用户、技术把关者和关键决策者。",
        "☆签订合同之前,与最终用户多接触,听取他们的意见。",
        "技术把关者对销售人员的产品没有直接决策购买权,但具有否决权;没有决策权,但具有推荐权;"
        "不能说“YES”,但能说“NO”。",
        "☆采购指导最好是企业的高层人员,在采购中应具有话语权,而且话语权的分量比较重。",
        "“张总,你要小心啊,我的材料不能给别人,这是我们公司的机密”。",
    ],
    "001": [
        "深圳市XXX科技有限公司销售业务手册2008年第一版",
        "1、扫楼。销售工程师进行扫楼,直接发现并获取区域内的在建项目信息,随后进行陌生拜访。",
        "发展内线是客户拜访的一个关键步骤,销售工程师拜访三次必须发展一个内线人",
        "如拜访3次以上无法达成目标,主动请求办事处经理协助。",  # joined across a page break
        "节点C级B级A级",
        "约15个有效信息才可能诞生1个晦闽。",  # garbled OCR is kept verbatim
        "都达到了“B”级,则进入漏斗中的准客户阶段",
    ],
    "002": [
        "客户关系管理:是企业为提高核心竞争力,达到竞争制胜、快速成长的目的,"
        "开展的判断、选择、争取、发展和保持客户需要的全部商业过程。",
        "惊人的数字规律——20%的客户完成80%业绩;",
        "3.将整合后的产品和服务提供给不同需求的客户",
        "SITUATION状况询问PROBLEM问题询问 IMPLICATION暗示影响询问NEEDPAYOFF需求--满足询问",
        "某电信局计费项目正在招标,M公司志在必得,做了许多工作,但未果",
        "异议处理:LSCPA运用例子",
    ],
    "003": [
        "一般说来,团购客户大致可以分为三种:",
        "第一种,办公类团购,顾名思义,办公类团购就是某单位向外大批采购基础设施办公设备等物件的一种团购类型",
        "开发大客户时往往把大客户当做了对手,全部力量都放在这里",
        "但是,客户的推荐只是帮我们打开了下一个客户的大门,进去之后还要我们自己努力。",
    ],
    "004": [
        "销售的逻辑其实是要回答五个问题:",
        "大客户销售的三个基本问题:",
        "疑虑和异议是两回事,异议是客户压根儿就没打算选你",
        "SPIN是四类问题的统称,其中",
        "老罗 销售布道者!",
        "产品订单数= 产品曝光次数x转化率",
    ],
}


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_content_sentences_survive_verbatim(doc_id: str) -> None:
    text = _handbook(doc_id)
    for sentence in CONTENT[doc_id]:
        assert sentence in text, sentence


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_content_order_is_preserved(doc_id: str) -> None:
    """Cleaning only deletes: the output's characters are a subsequence of the source's."""
    source = iter(_key(_source(doc_id)))
    assert all(ch in source for ch in _key(_handbook(doc_id)))


HEADINGS = {
    "000": [
        "# 大客户营销手册",
        "## 一、大客户营销的CUTE理论",
        "### 1、什么是项目影响",
        "## 四、接近技术把关者的技巧",
        "### 5、接近技术把关者的技巧",
        "#### 1)提供产品白皮书",
        "### 1、拜访拜访决策者要做的准备",
        "### 3、验证采购指导的方式",
    ],
    "001": [
        "# 销售业务手册",
        "## 第二部分销售过程分解",
        "### 2.2 客户信息筛选、汇总",
        "#### 2.1.2 信息收集方式",
        "##### 2.3.1.1 客户联络",
        "##### 2.3.2.4 关系节点判断",
        "###### 1、客户拜访的目的",
        "###### (1) 项目型地产公司",
        "##### 3、战略采购",
        "#### 2.4.1 准客户筛选",
    ],
    "002": [
        "# 客户关系管理与大客户营销",
        "## 客户关系管理定义",
        "## 一、客户关系管理",
        "### 分级档次=依据价值+梯阶排序+主次辅杂+ABCD+资信评估+信用分级",
        "## 二、大客户营销",
        "### 说对话=SPIN+FABE+LSCPA",
    ],
    "003": ["# 搞定团购客户", "## 客户分类管理", "## 交互式大客户开发"],
    "004": [
        "# 大客户销售入门36课,第3课销售的逻辑是什么",
        "## 一、客户为什么会购买",
        "### 1.价值",
        "## 大客户销售:谋攻之道笔记",
        "### 第3部分 大客户销售流程",
        "#### 第7章 不要在错误的客户上浪费精力——大客户销售的商机评估",
        "##### 方案该包括哪些要素",
        "###### 第一维 马斯洛需求层次",
    ],
}


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_expected_headings_at_expected_level(doc_id: str) -> None:
    lines = _handbook(doc_id).split("\n")
    for heading in HEADINGS[doc_id]:
        assert heading in lines, heading


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_markdown_shape(doc_id: str) -> None:
    text = _handbook(doc_id)
    lines = text.split("\n")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\r" not in text and "\x00" not in text and "\x01" not in text and "\x02" not in text
    assert lines[0].startswith("# ")
    assert sum(1 for line in lines if line.startswith("# ")) == 1
    assert "\n\n\n" not in text
    for line in lines:
        m = re.match(r"^(#+) (.+)$", line)
        if m:
            assert len(m.group(1)) <= 6
            assert len(m.group(2)) <= 60, line
    # full sentences are never promoted to headings
    assert not [ln for ln in lines if ln.startswith("#") and ln.endswith("。") and "、" not in ln[:8]]


def test_list_sentences_stay_paragraphs() -> None:
    lines = _handbook("004").split("\n")
    assert "1.客户为什么要买东西?" in lines
    assert "☆签订合同之前,与最终用户多接触,听取他们的意见。" in _handbook("000").split("\n")


def test_gold_anchors_found_in_cleaned_corpus() -> None:
    corpus = "".join(_key(_handbook(d)) for d in DOC_IDS)
    missing = []
    for line in (ROOT / "bench" / "data" / "retrieval_dev.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if not any(_key(anchor) in corpus for anchor in item["gold_any"]):
            missing.append(item["id"])
    assert missing == []


# --- generic rules on synthetic strings -----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "style"),
    [
        ("第二部分销售过程分解", "part"),
        ("第4章 不是每个人都可以搞定", "chapter"),
        ("第3课销售的逻辑是什么", "lesson"),
        ("一、大客户营销的CUTE理论", "cn"),
        ("(二)被动式", "cn_paren"),
        ("（二）被动式", "cn_paren"),
        ("(1) 项目型地产公司", "paren_num"),
        ("（1）项目型地产公司", "paren_num"),
        ("1、什么是项目影响", "num_dun"),
        ("1)提供产品白皮书", "num_halfparen"),
        ("1.价值", "num_dot"),
        ("2. 3.1.1客户联络", "decimal4"),
        ("2.2客户信息筛选", "decimal2"),
        ("☆了解客户企业购买影响者", "star"),
        ("销售人员最容易忽略的一类人", None),
        ("2008年第一版", None),
    ],
)
def test_heading_style(line: str, style: str | None) -> None:
    assert heading_style(line) == style


def test_looks_like_heading_rejects_sentences_and_long_lines() -> None:
    assert looks_like_heading("1、什么是项目影响")
    assert not looks_like_heading("1、扫楼。")
    assert not looks_like_heading("1.客户为什么要买东西?")
    assert not looks_like_heading("1、" + "很长" * 20)


def test_normalize_heading_tidies_ocr_numbering() -> None:
    assert normalize_heading("2. 3.1.1客户联络") == "2.3.1.1 客户联络"
    assert normalize_heading("2. 1 客户信息收集") == "2.1 客户信息收集"
    assert normalize_heading("一、大客户营销") == "一、大客户营销"


def test_boilerplate_lines() -> None:
    assert is_boilerplate("上传人:b****6 文档编号:4237494 上传时间:2022-11-28 格式:DOCX")
    assert is_boilerplate("第3页 / 共10页")
    assert is_boilerplate("copyright@ 2008-2022 冰豆网网站版权所有")
    assert is_boilerplate("经营许可证编号:鄂ICP备2022015515号-1")
    assert is_boilerplate(" 楼主| 发表于 2013-2-16 11:29:32 | 显示全部楼层")
    assert is_boilerplate("原文地址: http://example.com/1.html")
    assert is_boilerplate("评论列表(0条)")
    assert not is_boilerplate("销售人员要想接近最终用户,首先要找到接近他们的切入口")
    assert not is_boilerplate("第一,尽量利用现有资源满足他们当前的个人需求。")
    assert not is_boilerplate("")


def test_artefacts_and_whitespace() -> None:
    assert (
        remove_artefacts('整合业务流程、产品、服务8><#004699">3.将整合后')
        == "整合业务流程、产品、服务3.将整合后"
    )
    assert remove_artefacts('12<#004699">3定律') == "123定律"
    assert normalize_whitespace("a\u3000\u3000b\xa0 c \r\nd\u200b") == "a b c\nd"
    assert join_cjk_spaces("仅提供给兴 天下各办事处, 严格 control") == "仅提供给兴天下各办事处,严格 control"


def test_split_long_paragraph_keeps_every_character() -> None:
    text = "第一句很长很长。" * 10 + "最后一句没有句号"
    parts = split_long_paragraph(text, 30)
    assert "".join(parts) == text
    assert len(parts) > 1
    assert all(p.endswith("。") for p in parts[:-1])
    assert split_long_paragraph("短句。", 30) == ["短句。"]
