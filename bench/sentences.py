"""Unique salesperson lines for load tests: templates × varied slots, never the same text twice.

Each line reads like a turn of the intercom rehearsal (situation and problem questions, implication
and need-payoff questions, pitches with evidence, objection handling, commitments), so a turn goes
through the engine's usual paths; the slots and a running number make every text new, so no
cache of repeated texts can help.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

TEMPLATES = [
    "王工您好，请问{project}{phase}一共有多少栋楼、多少户？",
    "{project}{phase}现在用的{system}是哪家的，用了几年了？",
    "现在的{system}在{aspect}上有什么困难吗？",
    "{aspect}跟不上的话，对{party}会有什么影响？",
    "这些问题会不会影响到您部门今年的{kpi}？",
    "如果能把{aspect}缩短到{hours}小时以内，对您有什么帮助？",
    "我们的主机支持{feature}，能减少您说的{aspect}问题；这是{customer}{count}个项目的验收报告。",
    "您说的{worry}我理解，能具体说说是哪方面让您担心吗？",
    "我们可以先在{phase}做一个样板楼试点，效果满意再全面铺开，您看{day}方便吗？",
    "那我们{day}带技术团队来{project}做一次技术交流，您看可以吗？",
]
SLOTS = {
    "project": ["金澜湾", "翠湖苑", "滨江花园", "锦绣华庭", "御景天成", "星河湾", "海棠郡", "云山府"],
    "phase": ["一期", "二期", "三期", "北区", "南区", "东苑", "西苑"],
    "system": ["楼宇对讲系统", "门禁系统", "可视对讲主机", "停车道闸", "监控系统"],
    "aspect": ["维修响应", "日常维护", "故障排查", "配件更换", "业主报修处理"],
    "party": ["业主投诉", "物业口碑", "交房验收", "续约评分", "开发商形象"],
    "kpi": ["考核", "满意度评分", "投诉率指标", "年度评优"],
    "hours": ["12", "24", "36", "48"],
    "feature": ["远程诊断", "云端升级", "故障自检", "手机开门", "人脸识别"],
    "customer": ["万科", "碧桂园", "保利", "龙湖", "华润"],
    "count": ["三", "五", "八", "十二", "二十"],
    "worry": ["价格上的顾虑", "兼容性的担心", "施工周期的顾虑", "售后服务的担心"],
    "day": ["下周三", "下周五", "本周四", "月底前", "下个月初"],
}


def sentences(seed: int = 0) -> Iterator[str]:
    """An endless stream of distinct lines (a running number guarantees it)."""
    rng = random.Random(seed)
    for number in itertools.count(1):
        template = rng.choice(TEMPLATES)
        slots = {name: rng.choice(values) for name, values in SLOTS.items()}
        yield f"{template.format(**slots)}（{number}）"
