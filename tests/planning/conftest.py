"""Visit plans written for these tests (one per CUTE role and language)."""

from __future__ import annotations

from typing import Any

import pytest

PLANS: dict[str, dict[str, Any]] = {
    "zh-coach": {
        "lang": "zh", "company": "明湖区人民医院", "industry": "医疗（药品物流）",
        "person": {"name": "刘芳", "title": "药剂科副主任", "cute_role": "coach", "decision_role": "influencer"},
        "facts": ["医院每天要给住院部配送约3000份口服药。", "药剂科现在有12名药师负责配药和核对。"],
        "difficulties": ["人工核对容易出错，上个月发生了两起发错药的投诉。"],
        "objection": "我们担心自动化设备装进来以后，药房要停工好几天。",
        "goal": {"highest": "刘主任同意下周带我们去见分管副院长。", "lowest": "刘主任同意告诉我们评审的标准。"},
        "date": "2026-12-03",
    },
    "zh-user": {
        "lang": "zh", "company": "顺达快运", "industry": "物流",
        "person": {"name": "赵刚", "title": "仓库主管", "cute_role": "user", "decision_role": None},
        "facts": ["仓库面积约2万平方米，有80名拣货员。", "拣货单现在是纸质打印的。"],
        "difficulties": ["高峰期拣货错误率高，客户经常投诉少发漏发。", "新员工培训要两周才能上手。"],
        "objection": None,
        "goal": {"highest": "赵主管同意在一个库区试用我们的手持终端一周。", "lowest": "赵主管同意让我们看一下现在的拣货流程。"},
        "date": "2026-12-04",
    },
    "zh-technical_gatekeeper": {
        "lang": "zh", "company": "东江化工", "industry": "化工（安全监测）",
        "person": {"name": "钱伟", "title": "设备科科长", "cute_role": "technical_gatekeeper", "decision_role": "gatekeeper"},
        "facts": ["厂区有6套反应装置，24小时连续生产。", "现有的气体检测仪是8年前安装的。"],
        "difficulties": ["检测仪误报多，操作工已经习惯了忽略报警。"],
        "objection": "你们的系统没有在化工厂用过，风险太大。",
        "goal": {"highest": "钱科长同意安排一次技术交流会。", "lowest": "钱科长同意提供现有设备清单。"},
        "date": "2026-12-05",
    },
    "zh-economic_buyer": {
        "lang": "zh", "company": "金禾集团", "industry": "制造",
        "person": {"name": "王建华", "title": "副总经理", "cute_role": "economic_buyer", "decision_role": "decision_maker"},
        "facts": ["集团有4家工厂，年产值约30亿元。", "财务和生产数据分散在三套系统里。"],
        "difficulties": ["月底出经营报表要十天，管理层看到数据时已经晚了。"],
        "objection": "这个项目投入太大，价格我们接受不了。",
        "goal": {"highest": "王总同意下个月安排一次高层汇报。", "lowest": "王总同意让财务总监和我们先谈一次。"},
        "date": "2026-12-06",
    },
    "en-coach": {
        "lang": "en", "company": "Harbor Dental Group", "industry": "Healthcare (scheduling software)",
        "person": {"name": "Maria Lopez", "title": "Practice Manager", "cute_role": "coach", "decision_role": "influencer"},
        "facts": ["The group runs 14 dental clinics with 60 dentists.", "Appointments are booked by phone at each clinic."],
        "difficulties": ["About one patient in ten misses an appointment without cancelling."],
        "objection": "The owners think software like this is too expensive for a dental group.",
        "goal": {"highest": "Maria sets up a meeting with the owners next week.", "lowest": "Maria tells us how the owners decide on purchases."},
        "date": "2026-12-03",
    },
    "en-user": {
        "lang": "en", "company": "Crestline Hotels", "industry": "Hospitality",
        "person": {"name": "James Wu", "title": "Front Office Supervisor", "cute_role": "user", "decision_role": "user"},
        "facts": ["The hotel has 320 rooms and a front desk team of 18.", "Check-in is done at the desk on a system from 2014."],
        "difficulties": ["Queues at check-in get long on Friday evenings."],
        "objection": None,
        "goal": {"highest": "James agrees to a two-week trial of our mobile check-in.", "lowest": "James shows us the current check-in process."},
        "date": "2026-12-04",
    },
    "en-technical_gatekeeper": {
        "lang": "en", "company": "Valley Water Authority", "industry": "Utilities",
        "person": {"name": "Priya Shah", "title": "SCADA Engineer", "cute_role": "technical_gatekeeper", "decision_role": "gatekeeper"},
        "facts": ["The authority runs 40 pumping stations.", "The control system is connected over leased lines."],
        "difficulties": ["Leased lines fail several times a year and stations go offline."],
        "objection": "Cellular links are a security risk for our control network.",
        "goal": {"highest": "Priya agrees to a lab test of our gateway next month.", "lowest": "Priya shares the network security requirements."},
        "date": "2026-12-05",
    },
    "en-economic_buyer": {
        "lang": "en", "company": "Summit Foods", "industry": "Food manufacturing",
        "person": {"name": "Robert King", "title": "Chief Operating Officer", "cute_role": "economic_buyer", "decision_role": "decision_maker"},
        "facts": ["Summit runs three bakeries supplying 900 supermarkets.", "Production planning is done weekly in spreadsheets."],
        "difficulties": ["Unsold bread is thrown away every day because forecasts are wrong."],
        "objection": "We have no budget left this year.",
        "goal": {"highest": "Robert agrees to a pilot at one bakery in January.", "lowest": "Robert asks his planning manager to meet us."},
        "date": "2026-12-06",
    },
}  # fmt: skip


@pytest.fixture(params=sorted(PLANS))
def plan_data(request: pytest.FixtureRequest) -> dict[str, Any]:
    return PLANS[request.param]
