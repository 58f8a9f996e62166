// The analysis badges under a salesperson's line and the scorecard (rehearsals and reviews alike).
// Framework and move names come from the boot data (the playbooks), not from this file.

import { addStrings, boot, citationNodes, el, pick, svg, t } from "./common.js";

const FRAMEWORKS = Object.fromEntries((boot.frameworks || []).map((f) => [f.id, f]));
const MOVES = boot.moves || {};
export const SPIN_KEYS = ["situation", "problem", "implication", "need_payoff"];
export const SPIN_LETTERS = { situation: "S", problem: "P", implication: "I", need_payoff: "N" };
export const UNIT_KINDS = ["fact", "problem", "implication", "need"];

/** The name of a framework's label in the interface language (the label itself if unknown). */
export function labelName(framework, label) {
  const part = FRAMEWORKS[framework]?.parts?.find((p) => p.label === label);
  return part ? pick(part.names) : label;
}

export function moveName(label) {
  return MOVES[label] ? pick(MOVES[label]) : String(label).replaceAll("_", " ");
}

export function frameworkTitle(id) {
  return FRAMEWORKS[id] ? pick(FRAMEWORKS[id].names) : String(id).toUpperCase();
}

function badge(kind, text, isUnsure) {
  return el("span", {
    class: `badge ${kind}${isUnsure ? " unsure" : ""}`, title: isUnsure ? t("unsure") : null,
    testid: `badge-${kind}`, text: isUnsure ? `${text} ?` : text,
  });
}

/** Badges for an analysis: a rehearsal or review turn's {is_question, spin, fabe, lscpa, move, unsure},
 *  or a drill answer's {framework, labels, unsure}. */
export function analysisBadges(analysis, options = {}) {
  const unsure = analysis.unsure || {};
  const badges = [];
  if (analysis.framework && Array.isArray(analysis.labels)) {
    const kind = analysis.framework;
    for (const label of analysis.labels) {
      badges.push(badge(kind, `${kind.toUpperCase()} · ${labelName(kind, label)}`, analysis.unsure === true));
    }
    return el("div", { class: "analysis", testid: "analysis" }, ...badges);
  }
  badges.push(badge("kind", analysis.is_question ? t("question") : t("statement")));
  if (analysis.spin && !(options.compact && analysis.spin === "other")) {
    // the timeline of a review names the letter (S/P/I/N); a rehearsal bubble names the framework
    const prefix = options.compact ? SPIN_LETTERS[analysis.spin] : "SPIN";
    badges.push(badge("spin", `${prefix} · ${labelName("spin", analysis.spin)}`, unsure.spin));
  }
  for (const part of analysis.fabe || []) badges.push(badge("fabe", `FABE · ${labelName("fabe", part)}`, unsure.fabe));
  if (analysis.lscpa) badges.push(badge("lscpa", `LSCPA · ${labelName("lscpa", analysis.lscpa)}`, unsure.lscpa));
  if (analysis.move) badges.push(badge("move", `${t("move")} · ${moveName(analysis.move)}`, unsure.moves ?? unsure.move));
  return el("div", { class: "analysis", testid: "analysis" }, ...badges);
}

// ---------------------------------------------------------------------------------------------
// scorecard

/** A scorecard: score, SPIN chart, talk ratio, checks (misses with advice and citations, and the
 *  drill that practises them), and what was learned and missed. ``onDrill(framework)`` starts a drill. */
export function scorecardNode(card, options = {}) {
  const host = el("section", { class: "scorecard", testid: "scorecard", "aria-label": t("scorecard") });
  const checks = card.checks || [];
  const passed = checks.filter((c) => c.passed).length;
  const talk = card.talk_ratio ?? card.talk_share ?? 0;
  host.append(
    el("div", { class: "score-head" },
      el("h2", { text: t("scorecard") }),
      el("div", { class: "score-value", testid: "score-value", "aria-label": `${t("score")} ${card.score}` },
        el("span", { class: "score-number", text: String(card.score) }), el("span", { class: "score-max", text: "/100" }))),
    el("div", { class: "score-grid" },
      el("figure", { class: "chart" }, questionChart(card.question_counts || {}),
        el("figcaption", { text: t("questionCounts") })),
      el("div", { class: "score-stats" },
        stat(t("checksPassed"), `${passed} / ${checks.length}`, checks.length ? passed / checks.length : 0, "checks"),
        stat(t("talkRatio"), `${Math.round(talk * 100)}%`, talk, "talk"),
        card.turns !== undefined ? el("p", { class: "hint", text: `${t("turns")}: ${card.turns ?? "—"}` }) : null)),
    el("ul", { class: "checks" }, ...checks.map((check) => checkItem(check, options))),
  );
  if ((card.learned || []).length || (card.missed || []).length) host.append(learnedAndMissed(card));
  return host;
}

function stat(label, value, fraction, kind) {
  return el("div", { class: "stat" },
    el("div", { class: "stat-top" }, el("span", { text: label }), el("strong", { text: value })),
    el("div", { class: `meter ${kind}` }, el("span", { style: `width:${Math.max(0, Math.min(1, fraction)) * 100}%` })));
}

export function questionChart(counts) {
  const values = SPIN_KEYS.map((k) => Number(counts[k]) || 0);
  const max = Math.max(1, ...values);
  const width = 280, height = 170, top = 18, bottom = 40, barWidth = 40, gap = (width - SPIN_KEYS.length * barWidth) / (SPIN_KEYS.length + 1);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": t("chartLabel"), class: "bar-chart" });
  root.dataset.testid = "score-chart";
  root.append(svg("title", {}, t("chartLabel")));
  root.append(svg("line", { x1: 8, x2: width - 8, y1: height - bottom, y2: height - bottom, class: "axis" }));
  SPIN_KEYS.forEach((key, i) => {
    const x = gap + i * (barWidth + gap);
    const barHeight = ((height - top - bottom) * values[i]) / max;
    const y = height - bottom - barHeight;
    root.append(svg("rect", { x, y, width: barWidth, height: Math.max(barHeight, 1.5), rx: 6, class: `bar bar-${key}` }));
    root.append(svg("text", { x: x + barWidth / 2, y: y - 5, "text-anchor": "middle", class: "bar-value" }, String(values[i])));
    root.append(svg("text", { x: x + barWidth / 2, y: height - bottom + 16, "text-anchor": "middle", class: "bar-letter" }, SPIN_LETTERS[key]));
    root.append(svg("text", { x: x + barWidth / 2, y: height - bottom + 31, "text-anchor": "middle", class: "bar-label" },
      labelName("spin", key).replace(/问题$| question$/iu, "")));
  });
  return root;
}

function checkItem(check, options) {
  // a miss names the drill that practises it (drill id, drill_framework, practise link)
  const framework = check.drill_framework || (check.practise ? new URL(check.practise, window.location.href).searchParams.get("drill") : null);
  return el(
    "li",
    { class: `check ${check.passed ? "passed" : "missed"}`, testid: "check", "data-passed": String(!!check.passed) },
    el("div", { class: "check-head" },
      el("span", { class: "check-icon", "aria-hidden": "true", text: check.passed ? "✓" : "✗" }),
      el("span", { class: "check-name", text: check.name || check.id }),
      el("span", { class: "visually-hidden", text: check.passed ? t("passed") : t("missed") })),
    check.evidence ? el("p", { class: "check-evidence", text: `${t("evidence")}: ${check.evidence}` }) : null,
    !check.passed && check.advice ? el("p", { class: "check-advice", testid: "check-advice", text: `${t("advice")}: ${check.advice}` }) : null,
    !check.passed ? citationNodes(check.citations) : null,
    !check.passed && framework && options.onDrill && FRAMEWORKS[framework]?.drill
      ? el("button", {
          type: "button", class: "small drill-link", testid: "drill-link",
          text: `${t("practiseThis")} · ${frameworkTitle(framework)}`, onclick: () => options.onDrill(framework),
        })
      : null,
  );
}

/** Units grouped by kind, in the order told: a list per kind that has any. */
export function unitGroups(units, options = {}) {
  return UNIT_KINDS.filter((kind) => units.some((u) => u.kind === kind)).map((kind) =>
    el("div", { class: `unit-group unit-${kind}`, testid: `${options.testid || "unit"}-group-${kind}` },
      el("h3", { text: t("unitKinds")[kind] || kind }),
      el("ul", {}, ...units.filter((u) => u.kind === kind).map((u) =>
        el("li", { testid: options.testid || "unit", "data-kind": kind, "data-unit-id": u.id },
          el("span", { text: u.text }),
          u.question ? el("span", { class: "unit-question", testid: "missed-question",
            text: ` — ${t("wouldFind")}: ${labelName("spin", u.question)}` }) : null)))));
}

function learnedAndMissed(card) {
  return el("div", { class: "learned-missed" },
    el("section", { class: "learned-block", testid: "score-learned" },
      el("h3", { text: `${t("learnedTitle")} (${(card.learned || []).length})` }),
      ...((card.learned || []).length ? unitGroups(card.learned, { testid: "learned-unit" }) : [el("p", { class: "hint", text: t("nothingLearned") })])),
    el("section", { class: "missed-block", testid: "score-missed" },
      el("h3", { text: `${t("missedTitle")} (${(card.missed || []).length})` }),
      ...((card.missed || []).length ? unitGroups(card.missed, { testid: "missed-unit" }) : [el("p", { class: "hint", text: t("nothingMissed") })])));
}

addStrings({
  zh: {
    question: "提问", statement: "陈述", unsure: "不确定", move: "动作",
    scorecard: "评分卡", score: "得分", questionCounts: "SPIN 提问次数", talkRatio: "你说话的占比",
    turns: "轮次", checksPassed: "通过的检查", passed: "通过", missed: "未做到", advice: "建议",
    evidence: "依据", chartLabel: "各类 SPIN 问题的数量", practiseThis: "练一练",
    unitKinds: { fact: "情况", problem: "难点", implication: "影响", need: "需求" },
    learnedTitle: "了解到的", missedTitle: "没问出来的", wouldFind: "该用", nothingLearned: "还没有了解到什么。",
    nothingMissed: "该了解的都了解到了。",
  },
  en: {
    question: "Question", statement: "Statement", unsure: "unsure", move: "Move",
    scorecard: "Scorecard", score: "Score", questionCounts: "SPIN questions asked", talkRatio: "Your share of the talking",
    turns: "Turns", checksPassed: "Checks passed", passed: "Passed", missed: "Missed", advice: "Advice",
    evidence: "Evidence", chartLabel: "Number of SPIN questions by type", practiseThis: "Practise this",
    unitKinds: { fact: "Facts", problem: "Difficulties", implication: "Consequences", need: "Needs" },
    learnedTitle: "What you learned", missedTitle: "What you missed", wouldFind: "ask a", nothingLearned: "Nothing learned yet.",
    nothingMissed: "Nothing missed.",
  },
});
