// The Review tab: paste or upload a real visit's transcript; POST /api/reviews tags every turn
// (S/P/I/N, FABE, LSCPA; the client's difficulties, consequences, needs, objection, agreement) and
// scores the visit like a rehearsal. Markdown and JSON downloads are built here from the JSON.

import { $, addStrings, api, download, el, t, ui } from "./common.js";
import { analysisBadges, labelName, scorecardNode, SPIN_KEYS, SPIN_LETTERS } from "./scorecard.js";

const LAST_KEY = "salescoach.review";
const CLIENT_MARKS = ["difficulty", "consequence", "need", "objection", "agreement"];
const FORMATS = { txt: "text", vtt: "vtt", srt: "srt", json: "json" };

const state = { review: null, busy: false, transcript: "", format: "auto", lang: null };

/** The marks of a client turn, whatever their shape: a list, {mark: true|score}, or flags. */
export function clientMarks(analysis) {
  if (!analysis || typeof analysis !== "object") return [];
  const raw = analysis.marks ?? analysis.client ?? analysis.labels;
  let marks = [];
  if (Array.isArray(raw)) marks = raw.map(String);
  else if (raw && typeof raw === "object") marks = Object.keys(raw).filter((k) => raw[k]);
  else if (typeof raw === "string") marks = [raw];
  for (const mark of CLIENT_MARKS) if (analysis[mark] === true && !marks.includes(mark)) marks.push(mark);
  if (typeof analysis.mark === "string" && !marks.includes(analysis.mark)) marks.push(analysis.mark);
  return marks.filter((m) => CLIENT_MARKS.includes(m));
}

/** Indices of the turns inside an objection span: from a client's objection until the client
 *  voices agreement, moves on without objecting after a salesperson's answer, or the visit ends. */
export function objectionSpan(turns) {
  if (turns.some((turn) => typeof turn.objection_open === "boolean")) {
    // the API says which turns an objection was open for; the client turn raising it belongs too
    return new Set(turns.flatMap((turn, index) =>
      turn.objection_open || (turn.role === "client" && clientMarks(turn.analysis).includes("objection")) ? [index] : []));
  }
  const inside = new Set();
  let open = false;
  let answered = false;
  turns.forEach((turn, index) => {
    const marks = turn.role === "client" ? clientMarks(turn.analysis) : [];
    if (marks.includes("objection")) {
      open = true;
      answered = false;
    } else if (open && turn.role === "client" && (marks.includes("agreement") || answered)) {
      inside.add(index); // the client's answer closes the span
      open = false;
      return;
    }
    if (open) {
      inside.add(index);
      if (turn.role === "salesperson") answered = true;
    }
  });
  return inside;
}

function clock(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "";
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function markBadges(turn) {
  if (turn.role === "salesperson") return turn.analysis ? analysisBadges(turn.analysis, { compact: true }) : null;
  const marks = clientMarks(turn.analysis);
  if (!marks.length) return null;
  return el("div", { class: "analysis client-marks", testid: "client-marks" },
    ...marks.map((m) => el("span", { class: `badge mark mark-${m}`, testid: `mark-${m}`, text: t("clientMarks")[m] || m })));
}

function timelineItem(turn, index, span) {
  const spinLetter = turn.role === "salesperson" ? SPIN_LETTERS[turn.analysis?.spin] : null;
  const classes = ["turn", turn.role, span.has(index) ? "in-objection" : "", spinLetter ? `spin-${turn.analysis.spin}` : ""];
  return el("li", { class: classes.filter(Boolean).join(" "), testid: "review-turn", "data-role": turn.role,
    "data-objection": span.has(index) ? "true" : null },
    el("div", { class: "turn-rail", "aria-hidden": "true" }, el("span", { class: "turn-letter", text: spinLetter || (turn.role === "client" ? "·" : "") })),
    el("div", { class: "turn-body" },
      el("div", { class: "turn-head" },
        el("span", { class: "turn-speaker", text: turn.speaker || "" }),
        el("span", { class: "turn-role", text: turn.role === "salesperson" ? t("roleSales") : t("roleClient") }),
        turn.start !== undefined && turn.start !== null ? el("span", { class: "turn-time", text: clock(turn.start) }) : null,
        span.has(index) ? el("span", { class: "turn-flag", text: t("objectionSpan") }) : null),
      el("p", { class: "turn-text", text: turn.text || "" }),
      markBadges(turn)));
}

const METRICS = [
  ["talk_share", (v) => `${Math.round(v * 100)}%`],
  ["talk_share_time", (v) => `${Math.round(v * 100)}%`],
  ["questions", String],
  ["questions_per_10_turns", (v) => (Math.round(v * 10) / 10).toString()],
  ["spin_counts", (v) => SPIN_KEYS.map((k) => `${SPIN_LETTERS[k]} ${v?.[k] ?? 0}`).join(" · ")],
  ["spin_order", (v) => (Array.isArray(v) ? v.map((k) => SPIN_LETTERS[k] || k).join(" → ") : String(v).split("").join(" → ") || "—")],
  ["spin_in_order", (v) => (v ? t("yes") : t("no")), (v) => !!v],
  ["longest_monologue_words", String],
  ["pitch_before_need", (v) => (v ? t("yes") : t("no")), (v) => !v],
  ["argued_before_clarifying", (v) => (v ? t("yes") : t("no")), (v) => !v],
  ["next_step_agreed", (v) => (v ? t("yes") : t("no")), (v) => !!v],
];

function metricNodes(metrics) {
  const nodes = [];
  for (const [key, format, good] of METRICS) {
    const value = metrics?.[key];
    if (value === undefined || value === null) continue;
    const verdict = good ? (good(value) ? "good" : "bad") : "";
    nodes.push(el("div", { class: `metric ${verdict}`, testid: `metric-${key}` },
      el("dt", { text: t("metricNames")[key] || key }),
      el("dd", { text: format(value) })));
  }
  return nodes;
}

function speakers(review) {
  if (Array.isArray(review.speakers) && review.speakers.length) return review.speakers;
  return [...new Set((review.turns || []).map((turn) => turn.speaker).filter(Boolean))];
}

function renderSpeakerNote(review) {
  const note = $("review-speaker");
  note.replaceChildren();
  const names = speakers(review);
  note.hidden = !(review.salesperson_inferred && names.length > 1);
  if (note.hidden) return;
  const select = el("select", { id: "review-rerun-speaker", class: "inline-select", testid: "review-rerun-speaker" },
    ...names.map((name) => el("option", { value: name, text: name })));
  select.value = review.salesperson || names[0];
  note.append(
    el("p", { testid: "review-inferred", text: t("inferredSalesperson").replace("{name}", review.salesperson || "?") }),
    el("div", { class: "field-row inline" },
      el("label", { for: "review-rerun-speaker", text: t("salespersonIs") }), select,
      el("button", { type: "button", class: "small", testid: "review-rerun", text: t("rerun"),
        onclick: () => submit(null, select.value) })));
}

function render() {
  const review = state.review;
  $("review-intro").hidden = !!state.review;
  $("review-result").hidden = !review;
  if (!review) return;
  renderSpeakerNote(review);
  $("review-metrics").replaceChildren(...metricNodes(review.metrics || {}));
  $("review-legend").textContent = t("legend");
  const turns = review.turns || [];
  const span = objectionSpan(turns);
  $("review-timeline").replaceChildren(...turns.map((turn, index) => timelineItem(turn, index, span)));
  const metrics = review.metrics || {};
  const card = review.scorecard
    ? { question_counts: metrics.spin_counts, talk_ratio: metrics.talk_share, ...review.scorecard }
    : null;
  $("review-scorecard").replaceChildren(card ? scorecardNode(card, { onDrill: state.onDrill }) : "");
}

function message(text) {
  $("review-message").textContent = text || "";
  $("review-message").hidden = !text;
  if (text) $("review-message").scrollIntoView({ block: "nearest" });
}

function fieldError(text) {
  $("review-transcript-error").textContent = text || "";
  $("review-transcript-error").hidden = !text;
  $("review-transcript").setAttribute("aria-invalid", text ? "true" : "false");
}

async function submit(event, salesperson) {
  event?.preventDefault();
  if (state.busy) return;
  const rerun = salesperson !== undefined;
  const transcript = rerun ? state.transcript : $("review-transcript").value;
  message("");
  fieldError("");
  if (!transcript.trim()) {
    fieldError(t("transcriptEmpty"));
    $("review-transcript").focus();
    return;
  }
  const body = {
    transcript,
    format: rerun ? state.format : $("review-format").value,
    salesperson: rerun ? salesperson : $("review-salesperson").value.trim() || null,
    lang: rerun ? state.lang : $("review-lang").value || null,
  };
  state.busy = true;
  message(t("reviewing"));
  try {
    const result = await api("/api/reviews", { method: "POST", body });
    Object.assign(state, { transcript: body.transcript, format: body.format, lang: body.lang });
    show(result);
    message("");
  } catch (error) {
    if (error.status === 404 || error.status === 405) message(t("notAvailable"));
    else if (error.status === 422 || error.status === 413) {
      message("");
      fieldError(error.message);
    } else message(error.message);
  } finally {
    state.busy = false;
  }
}

function show(review) {
  state.review = review;
  if (review.review_id) {
    try {
      localStorage.setItem(LAST_KEY, review.review_id);
    } catch {
      /* a convenience only */
    }
    window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}#review/${encodeURIComponent(review.review_id)}`);
  }
  render();
}

async function load(id) {
  try {
    show(await api(`/api/reviews/${encodeURIComponent(id)}`));
  } catch (error) {
    if (error.status === 404) {
      localStorage.removeItem(LAST_KEY);
      if (error.code === "not_found" || error.message) message(t("reviewGone"));
    } else message(error.message);
  }
}

async function readFile(event) {
  const file = event.target.files?.[0];
  if (!file) return;
  const extension = file.name.split(".").pop().toLowerCase();
  try {
    $("review-transcript").value = await file.text();
    if (FORMATS[extension]) $("review-format").value = FORMATS[extension];
    fieldError("");
  } catch {
    fieldError(t("fileUnreadable"));
  }
}

// ---------------------------------------------------------------------------------------------
// downloads

/** The review as Markdown: metrics, the tagged timeline, the scorecard with its citations. */
export function reviewMarkdown(review) {
  const lines = [`# ${t("reviewResult")}`, ""];
  if (review.salesperson) lines.push(`- ${t("roleSales")}: ${review.salesperson}`, "");
  lines.push(`## ${t("reviewMetrics")}`, "");
  for (const [key, format] of METRICS) {
    const value = review.metrics?.[key];
    if (value !== undefined && value !== null) lines.push(`- ${t("metricNames")[key] || key}: ${format(value)}`);
  }
  lines.push("", `## ${t("reviewTimeline")}`, "");
  const span = objectionSpan(review.turns || []);
  (review.turns || []).forEach((turn, index) => {
    const a = turn.analysis || {};
    const tags = turn.role === "salesperson"
      ? [a.spin && a.spin !== "other" ? `${SPIN_LETTERS[a.spin]} ${labelName("spin", a.spin)}` : null,
         ...(a.fabe || []).map((f) => `FABE ${labelName("fabe", f)}`), a.lscpa ? `LSCPA ${labelName("lscpa", a.lscpa)}` : null]
      : clientMarks(a).map((m) => t("clientMarks")[m] || m);
    const time = clock(turn.start);
    const flag = span.has(index) ? ` ⚑ ${t("objectionSpan")}` : "";
    const tagText = tags.filter(Boolean).length ? ` _[${tags.filter(Boolean).join(", ")}]_` : "";
    lines.push(`${index + 1}. ${time ? `\`${time}\` ` : ""}**${turn.speaker || turn.role}**: ${turn.text}${tagText}${flag}`);
  });
  const card = review.scorecard;
  if (card) {
    lines.push("", `## ${t("scorecard")}: ${card.score}/100`, "");
    for (const check of card.checks || []) {
      lines.push(`- ${check.passed ? "✓" : "✗"} **${check.name || check.id}** — ${check.evidence || ""}`);
      if (!check.passed && check.advice) lines.push(`  - ${t("advice")}: ${check.advice}`);
      for (const c of check.passed ? [] : check.citations || []) {
        const text = ui.lang === "en" && c.text_en ? c.text_en : c.text;
        lines.push(`  - > ${String(text).replace(/\s+/g, " ")} (${(ui.lang === "en" && c.doc_en) || c.doc}${c.section ? `, ${(ui.lang === "en" && c.section_en) || c.section}` : ""})`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function fileName(extension) {
  return `review-${state.review?.review_id || "visit"}.${extension}`;
}

export function initReview({ onDrill }) {
  state.onDrill = onDrill;
  $("review-form").addEventListener("submit", submit);
  $("review-file").addEventListener("change", readFile);
  $("review-markdown").addEventListener("click", () =>
    download(fileName("md"), reviewMarkdown(state.review), "text/markdown;charset=utf-8"));
  $("review-json").addEventListener("click", () =>
    download(fileName("json"), `${JSON.stringify(state.review, null, 2)}\n`, "application/json"));
  const [tab, id] = window.location.hash.slice(1).split("/");
  const last = tab === "review" && id ? decodeURIComponent(id) : localStorage.getItem(LAST_KEY);
  if (last) load(last);
  return { render };
}

addStrings({
  zh: {
    reviewTitle: "复盘一次真实拜访",
    reviewIntro: "粘贴或上传一次真实拜访的记录（每行“姓名：说的话”，或 WebVTT、SRT、JSON）。每一句都会标出 SPIN、FABE、LSCPA 和客户的难点、需求、异议，再像演练一样打分，未做到的地方附手册出处和对应练习。",
    reviewTranscript: "拜访记录",
    reviewPlaceholder: "每行一句，例如：\n小李：王工您好……\n王工：你好……",
    reviewFile: "或上传文件（.txt .vtt .srt .json）",
    reviewSalesperson: "销售是谁（可选）",
    reviewSalespersonHint: "留空则自动判断",
    reviewFormat: "格式",
    formatAuto: "自动识别",
    formatText: "纯文本",
    reviewLang: "语言",
    langAuto: "自动",
    reviewSubmit: "开始复盘",
    reviewing: "正在分析这次拜访……",
    reviewResult: "拜访复盘",
    reviewMetrics: "指标",
    reviewTimeline: "拜访时间线",
    legend: "S 背景 · P 难点 · I 暗示 · N 需求效益；底色标出客户提出异议到解决的一段。",
    downloadMarkdown: "下载 Markdown",
    downloadJson: "下载 JSON",
    roleSales: "销售",
    roleClient: "客户",
    objectionSpan: "异议处理",
    clientMarks: { difficulty: "难点", consequence: "影响", need: "需求", objection: "异议", agreement: "同意" },
    metricNames: {
      talk_share: "销售说话占比（字数）", talk_share_time: "销售说话占比（时长）", questions: "提问数",
      questions_per_10_turns: "每 10 轮提问数", spin_counts: "SPIN 提问", spin_order: "提问顺序",
      longest_monologue_words: "最长独白（字）", spin_in_order: "按 S→P→I→N 顺序", pitch_before_need: "需求前就介绍方案",
      argued_before_clarifying: "澄清前就反驳", next_step_agreed: "约定了下一步",
    },
    yes: "是",
    no: "否",
    inferredSalesperson: "我们判断销售是「{name}」（提问最多的人）。不对的话，选出销售再复盘一次：",
    salespersonIs: "销售是",
    rerun: "重新复盘",
    transcriptEmpty: "请先粘贴拜访记录或上传文件。",
    fileUnreadable: "这个文件读不出来，请换一个文本文件。",
    reviewGone: "上次的复盘在服务器上找不到了。",
  },
  en: {
    reviewTitle: "Review a real visit",
    reviewIntro: "Paste or upload the transcript of a real visit (\"Name: what was said\" lines, WebVTT, SRT or JSON). Every turn is tagged with SPIN, FABE, LSCPA and the client's difficulties, needs and objections, then scored like a rehearsal, each miss with its handbook source and a drill.",
    reviewTranscript: "Transcript",
    reviewPlaceholder: "One line per turn, e.g.\nAlex: Good morning, Mr Wang…\nWang: Hello…",
    reviewFile: "or upload a file (.txt .vtt .srt .json)",
    reviewSalesperson: "Salesperson (optional)",
    reviewSalespersonHint: "leave empty to infer",
    reviewFormat: "Format",
    formatAuto: "Detect",
    formatText: "Plain text",
    reviewLang: "Language",
    langAuto: "Detect",
    reviewSubmit: "Review it",
    reviewing: "Analysing the visit…",
    reviewResult: "Visit review",
    reviewMetrics: "Metrics",
    reviewTimeline: "Timeline of the visit",
    legend: "S situation · P problem · I implication · N need-payoff; the shaded turns are the objection, from the client raising it to its resolution.",
    downloadMarkdown: "Download Markdown",
    downloadJson: "Download JSON",
    roleSales: "Salesperson",
    roleClient: "Client",
    objectionSpan: "objection",
    clientMarks: { difficulty: "difficulty", consequence: "consequence", need: "need", objection: "objection", agreement: "agreement" },
    metricNames: {
      talk_share: "Salesperson's talk share (words)", talk_share_time: "Talk share (time)", questions: "Questions",
      questions_per_10_turns: "Questions per 10 turns", spin_counts: "SPIN questions", spin_order: "Question order",
      longest_monologue_words: "Longest monologue (words)", spin_in_order: "S→P→I→N in order", pitch_before_need: "Pitched before a need",
      argued_before_clarifying: "Argued before clarifying", next_step_agreed: "Next step agreed",
    },
    yes: "yes",
    no: "no",
    inferredSalesperson: "We took “{name}” to be the salesperson (the one asking most questions). If not, pick the salesperson and review again:",
    salespersonIs: "The salesperson is",
    rerun: "Review again",
    transcriptEmpty: "Paste a transcript or upload a file first.",
    fileUnreadable: "That file could not be read; please use a text file.",
    reviewGone: "The last review no longer exists on the server.",
  },
});
