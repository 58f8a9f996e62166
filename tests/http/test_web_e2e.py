"""End to end in a real headless Chromium: the page, the JSON API and the real index behind it.

Debian's Chromium (``/usr/bin/chromium``, ``make e2e-deps``) driven by Python Playwright; no browser
download. Screenshots go to the test's tmp_path and are copied to ``test-output/web-e2e/``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from service.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = PROJECT_ROOT / "tests" / "dialogue" / "scripts" / "intercom_gatekeeper.good.zh.txt"
SCENARIO = PROJECT_ROOT / "playbooks" / "scenarios" / "intercom_gatekeeper.yaml"
HAN = re.compile(r"[\u4e00-\u9fff]")
STAGES = ["opening", "situation", "problem", "implication", "need_payoff", "pitch", "objection", "commitment"]
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
XSS = "<script>window.__pwned=1</script> 这句话应该原样显示"

pytestmark = [pytest.mark.integration, pytest.mark.slow]
# A short visit, Chinese and English mixed: situation, problem, implication, a pitch, an objection
# clarified, and a next step agreed.
VISIT = """小李：王工您好，我是兴天下的小李，今天想花二十分钟了解一下项目情况。
王工：你好，请说。
小李：这个项目一共有多少栋楼、多少户？
王工：一期十四栋，两千出头的户数。
小李：现在的系统在使用和维护上有什么困难吗？
王工：维修不及时，报修了经常要等好几天。
小李：What happens to owner complaints when a repair takes several days?
王工：去年一个项目交房，投诉的三成都是对讲问题。
小李：如果维修响应缩短到24小时以内，对您有什么帮助？
王工：那投诉能少一大半。
小李：我们的主机支持远程诊断，维修不用上门，这是万科三个项目的验收报告。
王工：你们的价格太贵了。
小李：I understand. Could you tell me which part of the price worries you?
王工：主要是今年预算有限。
小李：那我们下周三带技术团队来做一次技术交流，您看可以吗？
王工：好的，下周三可以。
"""
PLAN = {
    "company": "锦澜置业",
    "industry": "房地产",
    "name": "王工",
    "title": "工程部经理",
    "facts": ["一期十四栋，两千多户", "老项目用的是模拟对讲"],
    "difficulties": ["老系统维修不及时", "各期之间对讲难以互通"],
    "objection": "你们的价格太贵了",
    "highest": "约定下周三的技术交流",
    "lowest": "拿到一期的弱电设计进度",
    "date": "2026-12-03",
}
_CLEARED: list[bool] = []


@pytest.fixture
def shots(tmp_path: Path):
    """Save a screenshot under tmp_path, copy it to test-output/web-e2e/ and print both paths."""
    out = tmp_path / "screenshots"
    out.mkdir()
    mirror = PROJECT_ROOT / "test-output" / "web-e2e"
    mirror.mkdir(parents=True, exist_ok=True)
    if not _CLEARED:  # only this run's screenshots
        for old in mirror.glob("*.png"):
            old.unlink()
        _CLEARED.append(True)
    saved: list[Path] = []
    prefix = len(list(mirror.glob("*.png")))

    def take(target, name: str, **kwargs) -> Path:
        path = out / f"{prefix + len(saved) + 1:02d}-{name}.png"
        target.screenshot(path=str(path), **kwargs)
        shutil.copy2(path, mirror / path.name)
        saved.append(path)
        print(f"screenshot: {path}  (copy: {mirror / path.name})")
        return path

    yield take
    assert saved, "no screenshot was taken"


def test_web_page_end_to_end(live_server: str, shots) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make e2e-deps` (apt-get install chromium) as root")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
    expect = sync_api.expect
    expect.set_options(timeout=30_000)
    lines = [line.strip() for line in SCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]
    scenario = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    fact = scenario["facts"][0]  # a situation question from its asked_by should reveal it

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        page_errors: list[str] = []
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        tid = page.get_by_test_id

        def say(text: str) -> None:
            before = tid("bubble-user").count()
            tid("message-input").fill(text)
            tid("message-input").press("Enter")  # Enter sends
            expect(tid("bubble-user")).to_have_count(before + 1)
            expect(tid("typing")).to_have_count(0)
            expect(tid("send-button")).to_be_enabled()
            expect(tid("error")).to_be_hidden()

        def stage_index() -> int:
            stage = tid("stage-bar").get_attribute("data-stage") or "opening"
            return len(STAGES) if stage == "debrief" else STAGES.index(stage)

        try:
            # -- start a Chinese rehearsal of the technical-gatekeeper scenario ----------------------
            page.goto(f"{live_server}/?lang=zh")
            expect(page.locator("body[data-ready=true]")).to_have_count(1)
            expect(tid("start-button")).to_have_text("开始")
            tid("mode-select").select_option("rehearsal")
            tid("scenario-select").select_option("intercom_gatekeeper")
            tid("session-lang").select_option("zh")
            # the difficulty names come from the playbook (rehearsal.yaml), the default is the scenario's
            expect(tid("difficulty-select").locator("option")).to_have_count(4)
            tid("difficulty-select").select_option(label="容易")
            tid("start-button").click()
            expect(tid("bubble-coach")).to_have_count(1)  # the scenario briefing
            expect(tid("chat-subtitle")).to_contain_text("难度: 容易")
            expect(tid("learned-panel")).to_be_visible()
            expect(tid("learned-item")).to_have_count(0)
            expect(tid("stage-opening")).to_have_attribute("data-status", "current")
            expect(tid("session-item")).to_have_count(1)
            session_id = tid("session-item").first.get_attribute("data-session-id")
            assert session_id and re.fullmatch(r"[0-9a-f]{8,}", session_id)

            # -- the scripted visit: client and coach answer, the stage bar advances ---------------
            say(lines[0])
            say(fact["asked_by"]["zh"][0])
            # -- the learned panel fills: the fact just asked about appears under its kind ----------
            learned_fact = page.locator(f'[data-testid="learned-item"][data-unit-id="{fact["id"]}"]')
            expect(learned_fact).to_have_count(1)
            expect(learned_fact).to_have_attribute("data-kind", "fact")
            expect(tid("learned-item-group-fact")).to_be_visible()
            assert len(learned_fact.inner_text().strip()) > 5
            expect(tid("learned-count")).not_to_have_text("0")
            for line in lines[1:5]:
                say(line)
            # the difficulty admitted to the problem question is listed too
            expect(page.locator('[data-testid="learned-item"][data-kind="problem"]').first).to_be_visible()
            assert tid("bubble-client").count() >= 4
            assert tid("bubble-coach").count() >= 5
            expect(tid("stage-opening")).to_have_attribute("data-status", "done")
            assert stage_index() >= STAGES.index("problem"), tid("stage-bar").get_attribute("data-stage")
            expect(page.locator(".stage.current")).to_have_count(1)
            # the analysis under a salesperson message: "这个项目一共有多少栋楼、多少户？" is a situation question
            second = tid("bubble-user").nth(2)
            expect(second.get_by_test_id("analysis")).to_contain_text("SPIN")
            expect(second.get_by_test_id("analysis")).to_contain_text("背景问题")

            # -- a citation expands to the handbook passage, with its document and section ----------
            citation = tid("bubble-coach").last.get_by_test_id("citation").first
            passage = citation.get_by_test_id("citation-text")
            expect(passage).to_be_hidden()
            citation.locator("summary").click()
            expect(passage).to_be_visible()
            assert len(passage.inner_text().strip()) > 20
            expect(citation.locator(".cite-doc")).not_to_have_text("")
            shots(page, "rehearsal-citation")

            # -- the rest of the visit ends with a concrete next step: the scorecard ----------------
            for line in lines[5:]:
                say(line)
            expect(tid("stage-debrief")).to_be_visible()
            card = tid("scorecard").last
            expect(card).to_be_visible()
            expect(card.get_by_test_id("score-chart")).to_be_visible()
            assert card.locator("svg rect.bar").count() == 4
            expect(card.get_by_test_id("score-value")).to_have_text(re.compile(r"^\d{1,3}/100$"))
            assert card.get_by_test_id("check").count() >= 3
            expect(card.get_by_test_id("score-chart")).to_be_in_viewport()
            shots(page, "rehearsal-scorecard")
            # -- the scorecard lists what was learned (as the panel did) and what was missed --------
            learned = tid("learned-item").count()
            assert learned >= 2
            expect(card.get_by_test_id("score-learned").get_by_test_id("learned-unit")).to_have_count(learned)
            expect(card.get_by_test_id("score-missed")).to_be_visible()
            missed = card.get_by_test_id("score-missed").get_by_test_id("missed-unit")
            for index in range(missed.count()):  # each miss names the question that would have found it
                expect(missed.nth(index).get_by_test_id("missed-question")).to_contain_text("问题")
            card.get_by_test_id("score-learned").scroll_into_view_if_needed()
            shots(page, "rehearsal-learned-missed")

            # -- markup in a message is text, never code -------------------------------------------
            say(XSS)
            last_user = tid("bubble-user").last
            expect(last_user).to_contain_text("<script>window.__pwned=1</script>")
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.locator("#transcript script").count() == 0

            # -- the score button asks the API for the scorecard ------------------------------------
            cards = tid("scorecard").count()
            tid("score-button").click()
            expect(tid("scorecard")).to_have_count(cards + 1)

            # -- reload: the session is listed and re-rendered from GET /api/sessions/{id} -----------
            users = tid("bubble-user").count()
            page.reload()
            expect(page.locator("body[data-ready=true]")).to_have_count(1)
            item = page.locator(f'[data-testid="session-item"][data-session-id="{session_id}"]')
            expect(item).to_have_count(1)
            item.get_by_test_id("resume-button").click()
            expect(tid("bubble-user")).to_have_count(users)
            expect(tid("bubble-user").last).to_contain_text("<script>window.__pwned=1</script>")
            assert page.evaluate("typeof window.__pwned") == "undefined"
            expect(tid("stage-debrief")).to_be_visible()
            expect(tid("scorecard").first).to_be_visible()
            expect(tid("bubble-user").nth(2).get_by_test_id("analysis")).to_contain_text("SPIN")
            expect(tid("learned-item")).to_have_count(learned)  # rebuilt from the stored turns
            expect(tid("chat-subtitle")).to_contain_text("难度: 容易")
            tid("bubble-user").first.scroll_into_view_if_needed()
            shots(page, "resumed-session")

            # -- English UI, ask mode ---------------------------------------------------------------
            tid("ui-lang").select_option("en")
            expect(tid("start-button")).to_have_text("Start")
            tid("mode-select").select_option("ask")
            expect(tid("scenario-select")).to_be_hidden()
            tid("session-lang").select_option("en")
            tid("start-button").click()
            expect(tid("stage-bar")).to_be_hidden()
            expect(tid("bubble-coach")).to_have_count(1)
            say("How should I handle a price objection?")
            expect(tid("bubble-coach")).to_have_count(2)
            answer = tid("bubble-coach").last
            expect(answer).to_contain_text("objection")
            cited = answer.get_by_test_id("citation").first
            cited.locator("summary").click()
            expect(cited.get_by_test_id("citation-text")).to_be_visible()
            # the English interface shows the English passage; the Chinese original is one click away
            english = cited.get_by_test_id("citation-text").inner_text()
            assert re.search(r"[A-Za-z]{3,}", english) and not HAN.search(english), english
            original = cited.get_by_test_id("citation-original")
            expect(original).to_be_hidden()
            cited.get_by_test_id("citation-toggle").click()
            expect(original).to_be_visible()
            assert HAN.search(original.inner_text())
            expect(cited.get_by_test_id("citation-toggle")).to_have_attribute("aria-expanded", "true")
            expect(cited.locator("a.cite-link")).to_have_attribute(
                "href", re.compile(r"/passages/.+\?lang=en$")
            )
            expect(tid("session-item")).to_have_count(2)

            # -- handbook search --------------------------------------------------------------------
            tid("search-input").fill("implication questions")
            tid("search-input").press("Enter")
            expect(tid("search-result").first).to_be_visible()
            result = tid("search-result").first
            result.locator("summary").click()
            expect(result.get_by_test_id("citation-text")).to_be_visible()
            assert not HAN.search(result.get_by_test_id("citation-text").inner_text())
            result.get_by_test_id("citation-toggle").click()
            expect(result.get_by_test_id("citation-original")).to_be_visible()
            shots(page, "ask-english-and-search")

            # -- an API error is shown politely ----------------------------------------------------
            page.evaluate(
                """() => { localStorage.setItem("salescoach.sessions",
                     JSON.stringify([{id: "0000deadbeef", mode: "ask", lang: "en"}])); }"""
            )
            page.reload()
            expect(page.locator("body[data-ready=true]")).to_have_count(1)
            tid("resume-button").first.click()
            expect(tid("error")).to_be_visible()
            expect(tid("error")).to_contain_text("no longer exists")
            expect(tid("session-item")).to_have_count(0)

            # -- narrow screen ----------------------------------------------------------------------
            page.set_viewport_size({"width": 390, "height": 844})
            shots(page, "mobile", full_page=True)
            assert page_errors == [], page_errors
        finally:
            context.close()
            browser.close()


def _launch(sync_api, playwright):
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    return browser, context


def test_review_and_plan_tabs(live_server: str, shots) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make e2e-deps` (apt-get install chromium) as root")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
    import httpx

    paths = httpx.get(f"{live_server}/openapi.json", timeout=30).json()["paths"]
    expect = sync_api.expect
    expect.set_options(timeout=30_000)
    with sync_api.sync_playwright() as playwright:
        browser, context = _launch(sync_api, playwright)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page_errors: list[str] = []
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        tid = page.get_by_test_id
        try:
            page.goto(f"{live_server}/?lang=zh")
            expect(page.locator("body[data-ready=true]")).to_have_count(1)

            # -- Review: paste a visit, see the tagged timeline, the metrics and the scorecard -------
            tid("tab-review").click()
            expect(tid("review-form")).to_be_visible()
            expect(tid("tab-review")).to_have_attribute("aria-selected", "true")
            tid("tab-review").press("ArrowRight")  # the tabs move with the arrow keys
            expect(tid("tab-plan")).to_be_focused()
            tid("tab-review").click()
            tid("review-transcript").fill(VISIT)
            tid("review-submit").click()
            if "/api/reviews" not in paths:
                expect(tid("review-message")).to_contain_text("还没有开放")
                shots(page, "review-not-available")
            else:
                turns = tid("review-turn")
                expect(turns).to_have_count(len(VISIT.strip().splitlines()))
                expect(turns.nth(2).get_by_test_id("badge-spin")).to_contain_text("S · 背景问题")
                expect(turns.nth(4).get_by_test_id("badge-spin")).to_contain_text("P · 难点问题")
                assert (
                    page.locator(
                        '[data-testid="review-turn"][data-role="client"] [data-testid^="mark-"]'
                    ).count()
                    >= 2
                )
                expect(turns.nth(11).get_by_test_id("mark-objection")).to_be_visible()
                assert page.locator('[data-testid="review-turn"][data-objection="true"]').count() >= 2
                expect(tid("metric-talk_share")).to_contain_text("%")
                expect(tid("metric-questions")).not_to_have_text("")
                expect(tid("metric-spin_counts")).to_contain_text("S ")
                expect(tid("review-result").get_by_test_id("scorecard")).to_be_visible()
                assert tid("review-result").get_by_test_id("check").count() >= 3
                expect(tid("review-speaker-note")).to_contain_text("小李")  # inferred: asks the most
                with page.expect_download() as download:
                    tid("review-download-md").click()
                markdown = Path(download.value.path()).read_text(encoding="utf-8")
                assert "小李" in markdown and "S 背景问题" in markdown
                shots(page, "review", full_page=True)
                tid("review-turn").first.scroll_into_view_if_needed()
                # the review survives a reload (GET /api/reviews/{id})
                page.reload()
                expect(page.locator("body[data-ready=true]")).to_have_count(1)
                expect(tid("review-form")).to_be_visible()
                expect(tid("review-turn")).to_have_count(len(VISIT.strip().splitlines()))

            # -- Plan: fill the form, see the plan, rehearse it -------------------------------------
            tid("tab-plan").click()
            tid("plan-submit").click()  # an empty form: the 422 names the field, shown beside it
            if "/api/plans" not in paths:
                expect(tid("plan-message")).to_contain_text("还没有开放")
                shots(page, "plan-not-available")
            else:
                expect(tid("plan-field-error").first).to_be_visible()
                tid("plan-company").fill(PLAN["company"])
                tid("plan-industry").fill(PLAN["industry"])
                tid("plan-person-name").fill(PLAN["name"])
                tid("plan-person-title").fill(PLAN["title"])
                tid("plan-cute-role").select_option("technical_gatekeeper")
                tid("plan-facts").fill("\n".join(PLAN["facts"]))
                tid("plan-difficulties").fill("\n".join(PLAN["difficulties"]))
                tid("plan-objection").fill(PLAN["objection"])
                tid("plan-goal-highest").fill(PLAN["highest"])
                tid("plan-goal-lowest").fill(PLAN["lowest"])
                tid("plan-date").fill(PLAN["date"])
                tid("plan-submit").click()
                expect(tid("plan-result")).to_be_visible()
                expect(tid("plan-field-error")).to_have_count(0)
                expect(tid("plan-difficulty")).to_have_count(len(PLAN["difficulties"]))
                for kind in ("situation", "problem", "implication", "need_payoff"):
                    assert page.locator(f'[data-testid="plan-question"][data-kind="{kind}"]').count() >= 1
                expect(tid("plan-lscpa-step").first).to_be_visible()
                assert tid("plan-body").get_by_test_id("citation").count() >= 1
                page.emulate_media(media="print")
                shots(page, "plan-print", full_page=True)
                expect(tid("start-form")).to_be_hidden()  # the print view is the plan alone
                page.emulate_media(media="screen")
                with page.expect_download() as download:
                    tid("plan-download-md").click()
                assert PLAN["company"] in Path(download.value.path()).read_text(encoding="utf-8")
                tid("plan-rehearse").click()
                expect(tid("tab-practice")).to_have_attribute("aria-selected", "true")
                expect(tid("bubble-coach")).to_have_count(1)
                expect(tid("learned-panel")).to_be_visible()
                tid("message-input").fill("一期大概是多少栋楼、多少户？")
                tid("message-input").press("Enter")
                expect(tid("bubble-client")).to_have_count(1)
                expect(tid("bubble-user").first.get_by_test_id("analysis")).to_contain_text("SPIN")
                shots(page, "plan-rehearsal")
            assert page_errors == [], page_errors
        finally:
            context.close()
            browser.close()
