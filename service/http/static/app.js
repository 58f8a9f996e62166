// SalesCoach page: vanilla ES module, no framework. Every piece of data goes into the DOM through
// textContent or createElement — never innerHTML — so a transcript holding "<script>" stays text.

const boot = JSON.parse(document.getElementById("boot").textContent);
const BASE = boot.base || "";
const SCENARIOS = boot.scenarios || [];
const STORE_KEY = "salescoach.sessions";
const ACTIVE_KEY = "salescoach.active";
const STAGES = ["opening", "situation", "problem", "implication", "need_payoff", "pitch", "objection", "commitment"];

const I18N = {
  zh: {
    tagline: "SPIN · FABE · LSCPA 销售教练",
    uiLanguage: "界面语言",
    newSession: "开始练习",
    mode: "模式",
    modeRehearsal: "情景演练",
    modeDrill: "专项练习",
    modeAsk: "向教练提问",
    scenario: "场景",
    framework: "框架",
    sessionLanguage: "练习语言",
    start: "开始",
    mySessions: "我的练习",
    noSessions: "还没有练习记录。",
    resume: "继续",
    forget: "删除",
    forgetLabel: "从列表中删除这次练习",
    searchHandbooks: "查手册",
    searchLabel: "搜索手册内容",
    search: "搜索",
    searchPlaceholder: "例如：暗示问题怎么问",
    noResults: "没有找到相关内容。",
    showScore: "查看评分",
    dismiss: "关闭",
    welcomeTitle: "欢迎来到 SalesCoach",
    welcomeText: "选择模式和场景，点击“开始”。你扮演销售，我扮演客户，教练会在每一轮给出点评和手册出处。",
    messageLabel: "你要说的话",
    placeholder: "输入你要说的话……",
    send: "发送",
    enterHint: "Enter 发送，Shift+Enter 换行。",
    you: "我（销售）",
    client: "客户",
    coach: "教练",
    exercise: "练习题",
    thinking: "对方正在回复……",
    citation: "出处",
    section: "章节",
    suggestions: "试试这样说",
    stages: {
      opening: "开场", situation: "S 背景", problem: "P 难点", implication: "I 暗示",
      need_payoff: "N 需求效益", pitch: "介绍方案", objection: "处理异议", commitment: "推进承诺",
    },
    spin: { situation: "背景问题", problem: "难点问题", implication: "暗示问题", need_payoff: "需求效益问题", other: "其他" },
    fabe: { feature: "特点 F", advantage: "优势 A", benefit: "利益 B", evidence: "证据 E" },
    lscpa: { listen: "倾听 L", share: "分享感受 S", clarify: "澄清 C", present: "提出方案 P", ask: "要求行动 A" },
    question: "提问",
    statement: "陈述",
    unsure: "不确定",
    move: "动作",
    scorecard: "评分卡",
    score: "得分",
    questionCounts: "SPIN 提问次数",
    talkRatio: "你说话的占比",
    turns: "轮次",
    checksPassed: "通过的检查",
    passed: "通过",
    missed: "未做到",
    advice: "建议",
    evidence: "依据",
    chartLabel: "各类 SPIN 问题的数量",
    modeNames: { rehearsal: "情景演练", drill: "专项练习", ask: "向教练提问" },
    stageDone: "已结束",
    finished: "已结束",
    genericError: "出了点问题，请稍后再试。",
    networkError: "连不上服务器，请检查网络后再试。",
    sessionGone: "这次练习在服务器上找不到了，已从列表中移除。",
    loading: "加载中……",
  },
  en: {
    tagline: "SPIN · FABE · LSCPA sales coach",
    uiLanguage: "Interface",
    newSession: "Start practising",
    mode: "Mode",
    modeRehearsal: "Rehearsal",
    modeDrill: "Drill",
    modeAsk: "Ask the coach",
    scenario: "Scenario",
    framework: "Framework",
    sessionLanguage: "Practice language",
    start: "Start",
    mySessions: "My sessions",
    noSessions: "No sessions yet.",
    resume: "Resume",
    forget: "Remove",
    forgetLabel: "Remove this session from the list",
    searchHandbooks: "Search the handbooks",
    searchLabel: "Search the handbooks",
    search: "Search",
    searchPlaceholder: "e.g. implication questions",
    noResults: "Nothing found.",
    showScore: "Show score",
    dismiss: "Dismiss",
    welcomeTitle: "Welcome to SalesCoach",
    welcomeText: "Pick a mode and a scenario, then press Start. You are the salesperson, I play the client, and a coach comments on every turn with the handbook passage behind it.",
    messageLabel: "What you say",
    placeholder: "Type what you would say…",
    send: "Send",
    enterHint: "Enter sends, Shift+Enter adds a line.",
    you: "You (sales)",
    client: "Client",
    coach: "Coach",
    exercise: "Exercise",
    thinking: "Waiting for the reply…",
    citation: "Source",
    section: "Section",
    suggestions: "Try saying",
    stages: {
      opening: "Opening", situation: "S Situation", problem: "P Problem", implication: "I Implication",
      need_payoff: "N Need-payoff", pitch: "Pitch", objection: "Objection", commitment: "Commitment",
    },
    spin: { situation: "Situation Q", problem: "Problem Q", implication: "Implication Q", need_payoff: "Need-payoff Q", other: "other" },
    fabe: { feature: "Feature", advantage: "Advantage", benefit: "Benefit", evidence: "Evidence" },
    lscpa: { listen: "Listen", share: "Share", clarify: "Clarify", present: "Present", ask: "Ask" },
    question: "Question",
    statement: "Statement",
    unsure: "unsure",
    move: "Move",
    scorecard: "Scorecard",
    score: "Score",
    questionCounts: "SPIN questions asked",
    talkRatio: "Your share of the talking",
    turns: "Turns",
    checksPassed: "Checks passed",
    passed: "Passed",
    missed: "Missed",
    advice: "Advice",
    evidence: "Evidence",
    chartLabel: "Number of SPIN questions by type",
    modeNames: { rehearsal: "Rehearsal", drill: "Drill", ask: "Ask the coach" },
    stageDone: "Finished",
    finished: "finished",
    genericError: "Something went wrong. Please try again.",
    networkError: "Can't reach the server. Please check your connection and try again.",
    sessionGone: "That session no longer exists on the server; it was removed from the list.",
    loading: "Loading…",
  },
};

// ---------------------------------------------------------------------------------------------
// state

const state = {
  ui: I18N[boot.lang] ? boot.lang : "zh",
  session: null, // {id, mode, scenario, framework, lang, stage, finished}
  items: [], // rendered history: [{kind: "user", text, analysis} | {kind: "reply", reply}]
  busy: false,
  showCard: false, // scroll the transcript to the newest scorecard on the next render
};

const $ = (id) => document.getElementById(id);
const t = (key) => I18N[state.ui][key] ?? I18N.en[key] ?? key;

/** Create an element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "testid") node.dataset.testid = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---------------------------------------------------------------------------------------------
// API

class ApiError extends Error {}

async function api(path, options = {}) {
  const init = { method: options.method || "GET", headers: { Accept: "application/json" } };
  if (options.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch {
    throw new ApiError(t("networkError"));
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const message = payload?.error?.message || (typeof payload?.detail === "string" ? payload.detail : null);
    const error = new ApiError(message || t("genericError"));
    error.status = response.status;
    error.code = payload?.error?.code;
    throw error;
  }
  return payload;
}

function showError(message) {
  $("error-text").textContent = message;
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error-text").textContent = "";
}

// ---------------------------------------------------------------------------------------------
// saved sessions (localStorage)

function savedSessions() {
  try {
    const list = JSON.parse(localStorage.getItem(STORE_KEY) || "[]");
    return Array.isArray(list) ? list.filter((s) => s && typeof s.id === "string") : [];
  } catch {
    return [];
  }
}

function saveSessions(list) {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(list.slice(0, 30)));
  } catch {
    /* storage full or disabled: the list is a convenience only */
  }
}

function rememberSession(info) {
  const list = savedSessions().filter((s) => s.id !== info.id);
  const previous = savedSessions().find((s) => s.id === info.id) || {};
  list.unshift({ ...previous, ...info, updated: Date.now() });
  saveSessions(list);
  localStorage.setItem(ACTIVE_KEY, info.id);
  renderSessionList();
}

function forgetSession(id) {
  saveSessions(savedSessions().filter((s) => s.id !== id));
  if (localStorage.getItem(ACTIVE_KEY) === id) localStorage.removeItem(ACTIVE_KEY);
  renderSessionList();
}

function scenarioById(id) {
  return SCENARIOS.find((s) => s.id === id) || null;
}

function sessionTitle(info) {
  const names = t("modeNames");
  if (info.mode === "rehearsal") {
    const scenario = scenarioById(info.scenario);
    return scenario ? pick(scenario.title) : info.scenario || names.rehearsal;
  }
  if (info.mode === "drill") return `${names.drill} · ${(info.framework || "").toUpperCase()}`;
  return names.ask;
}

function pick(localized) {
  if (!localized || typeof localized !== "object") return localized || "";
  return localized[state.ui] || localized.zh || localized.en || "";
}

function renderSessionList() {
  const list = $("session-list");
  list.replaceChildren();
  const sessions = savedSessions();
  $("sessions-empty").hidden = sessions.length > 0;
  for (const info of sessions) {
    const active = state.session?.id === info.id;
    const when = info.updated ? new Date(info.updated).toLocaleString(state.ui === "zh" ? "zh-CN" : "en-GB") : "";
    const meta = [t("modeNames")[info.mode] || info.mode, (info.lang || "").toUpperCase(), when]
      .filter(Boolean)
      .join(" · ");
    list.append(
      el(
        "li",
        { class: active ? "session-item active" : "session-item", testid: "session-item", "data-session-id": info.id },
        el(
          "div",
          { class: "session-info" },
          el("span", { class: "session-name", text: sessionTitle(info) }),
          el("span", { class: "session-meta", text: meta + (info.finished ? ` · ${t("finished")}` : "") }),
        ),
        el(
          "div",
          { class: "session-actions" },
          el("button", {
            type: "button", class: "small", testid: "resume-button", text: t("resume"),
            onclick: () => resumeSession(info.id),
          }),
          el("button", {
            type: "button", class: "small ghost", testid: "forget-button", text: "×",
            "aria-label": t("forgetLabel"), title: t("forgetLabel"),
            onclick: () => forgetSession(info.id),
          }),
        ),
      ),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// static UI text

function applyStaticText() {
  document.documentElement.lang = state.ui === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("message").placeholder = t("placeholder");
  $("search-input").placeholder = t("searchPlaceholder");
  fillScenarios();
}

function fillScenarios() {
  const select = $("scenario");
  const current = select.value;
  select.replaceChildren(...SCENARIOS.map((s) => el("option", { value: s.id, text: pick(s.title) })));
  if (current && scenarioById(current)) select.value = current;
  else if (scenarioById("intercom_gatekeeper")) select.value = "intercom_gatekeeper";
  describeScenario();
}

function describeScenario() {
  const scenario = scenarioById($("scenario").value);
  $("scenario-persona").textContent = scenario
    ? `${pick(scenario.persona?.name)} — ${pick(scenario.persona?.title)}`
    : "";
}

function setUiLanguage(lang) {
  if (!I18N[lang]) return;
  state.ui = lang;
  $("ui-lang").value = lang;
  const url = new URL(window.location.href);
  url.searchParams.set("lang", lang);
  window.history.replaceState(null, "", url);
  applyStaticText();
  renderSessionList();
  renderAll();
}

function syncModeFields() {
  const mode = $("mode").value;
  for (const field of document.querySelectorAll("[data-show-for]")) field.hidden = field.dataset.showFor !== mode;
}

// ---------------------------------------------------------------------------------------------
// rendering the conversation

function renderAll() {
  const session = state.session;
  $("chat-title").textContent = session ? sessionTitle(session) : "";
  const scenario = session?.mode === "rehearsal" ? scenarioById(session.scenario) : null;
  const language = session ? (session.lang === "en" ? "English" : "中文") : "";
  $("chat-subtitle").textContent = scenario
    ? `${pick(scenario.persona?.name)} · ${pick(scenario.persona?.title)}`
    : session
      ? [session.mode === "ask" ? null : t("modeNames")[session.mode], language].filter(Boolean).join(" · ")
      : "";
  $("score-button").hidden = !(session && session.mode !== "ask");
  $("message").disabled = !session || state.busy;
  $("send").disabled = !session || state.busy;
  renderStageBar();

  const transcript = $("transcript");
  // Re-rendering keeps the citations the reader opened (details only ever get appended).
  const same = transcript.dataset.session === (session?.id || "");
  const open = same ? [...transcript.querySelectorAll("details")].map((d) => d.open) : [];
  transcript.dataset.session = session?.id || "";
  transcript.replaceChildren();
  if (!session) {
    transcript.append(
      el("div", { class: "welcome", id: "welcome", testid: "welcome" },
        el("p", { class: "welcome-title", text: t("welcomeTitle") }),
        el("p", { text: t("welcomeText") })),
    );
  }
  state.items.forEach((item, index) => {
    if (item.kind === "user") transcript.append(userBubble(item));
    else if (item.kind === "scorecard") transcript.append(scorecardNode(item.scorecard));
    else transcript.append(...replyNodes(item.reply, index === state.items.length - 1));
  });
  if (state.busy) transcript.append(el("div", { class: "typing", testid: "typing", text: t("thinking") }));
  transcript.querySelectorAll("details").forEach((d, i) => { d.open = !!open[i]; });
  const cards = transcript.querySelectorAll('[data-testid="scorecard"]');
  const card = cards[cards.length - 1];
  if (state.showCard && card) {
    // A new scorecard: show its top (score and chart), not the end of its checks.
    transcript.scrollTop += card.getBoundingClientRect().top - transcript.getBoundingClientRect().top - 8;
  } else transcript.scrollTop = transcript.scrollHeight;
  state.showCard = false;
}

function renderStageBar() {
  const bar = $("stage-bar");
  const session = state.session;
  bar.replaceChildren();
  bar.hidden = !(session && session.mode === "rehearsal");
  if (bar.hidden) return;
  const stage = session.stage || "opening";
  const debrief = stage === "debrief" || session.finished;
  const currentIndex = debrief ? STAGES.length : STAGES.indexOf(stage);
  bar.dataset.stage = stage;
  STAGES.forEach((name, index) => {
    const status = index < currentIndex ? "done" : index === currentIndex ? "current" : "todo";
    bar.append(
      el("li", {
        class: `stage ${status}`, testid: `stage-${name}`, "data-status": status,
        "aria-current": status === "current" ? "step" : null, text: t("stages")[name] || name,
      }),
    );
  });
  if (debrief) bar.append(el("li", { class: "stage finished", testid: "stage-debrief", text: `✓ ${t("stageDone")}` }));
}

function bubble(role, label, ...content) {
  return el(
    "div",
    { class: `msg ${role}`, testid: `bubble-${role}` },
    el("div", { class: "who", text: label }),
    el("div", { class: "body" }, ...content),
  );
}

function textBlock(text) {
  // Keep the line breaks of the coach's notes without touching HTML.
  return el("div", { class: "text", text: text || "" });
}

function userBubble(item) {
  const node = bubble("user", t("you"), textBlock(item.text));
  if (item.analysis) node.append(analysisBadges(item.analysis));
  return node;
}

function analysisBadges(analysis) {
  const labels = I18N[state.ui];
  const unsure = analysis.unsure || {};
  const badges = [];
  const badge = (kind, text, isUnsure) =>
    el("span", { class: `badge ${kind}${isUnsure ? " unsure" : ""}`, title: isUnsure ? t("unsure") : null, text: isUnsure ? `${text} ?` : text });
  if (analysis.framework && Array.isArray(analysis.labels)) {
    // A drill answer: {framework, labels, unsure} for the framework being drilled.
    const kind = analysis.framework;
    const names = labels[kind] || {};
    for (const label of analysis.labels) {
      badges.push(badge(kind, `${kind.toUpperCase()} · ${names[label] || label}`, analysis.unsure === true));
    }
    return el("div", { class: "analysis", testid: "analysis" }, ...badges);
  }
  badges.push(badge("kind", analysis.is_question ? t("question") : t("statement")));
  if (analysis.spin) badges.push(badge("spin", `SPIN · ${labels.spin[analysis.spin] || analysis.spin}`, unsure.spin));
  for (const part of analysis.fabe || []) badges.push(badge("fabe", `FABE · ${labels.fabe[part] || part}`, unsure.fabe));
  if (analysis.lscpa) badges.push(badge("lscpa", `LSCPA · ${labels.lscpa[analysis.lscpa] || analysis.lscpa}`, unsure.lscpa));
  if (analysis.move) badges.push(badge("move", `${t("move")} · ${analysis.move.replaceAll("_", " ")}`, unsure.moves));
  return el("div", { class: "analysis", testid: "analysis" }, ...badges);
}

function citationNodes(citations) {
  return (citations || []).map((c) =>
    el(
      "details",
      { class: "citation", testid: "citation" },
      el("summary", {},
        el("span", { class: "cite-mark", text: `§ ${t("citation")}` }),
        el("span", { class: "cite-doc", text: c.doc || c.doc_id || "" }),
        c.section ? el("span", { class: "cite-section", text: c.section }) : null),
      el("blockquote", { class: "cite-text", testid: "citation-text", text: c.text || "" }),
      el("p", { class: "cite-meta", text: [c.doc, c.section && `${t("section")}: ${c.section}`, c.passage_id].filter(Boolean).join(" · ") }),
    ),
  );
}

function replyNodes(reply, isLast) {
  const nodes = [];
  if (reply.client) {
    const scenario = state.session?.mode === "rehearsal" ? scenarioById(state.session.scenario) : null;
    const name = scenario ? pick(scenario.persona?.name) : "";
    nodes.push(bubble("client", name ? `${t("client")} · ${name}` : t("client"), textBlock(reply.client)));
  }
  if (reply.coach && (reply.coach.text || (reply.coach.citations || []).length)) {
    nodes.push(bubble("coach", t("coach"), textBlock(reply.coach.text), ...citationNodes(reply.coach.citations)));
  }
  // Drills: the feedback on the last answer first, then the next exercise.
  if (reply.prompt) nodes.push(bubble("prompt", t("exercise"), textBlock(reply.prompt)));
  if (isLast && (reply.suggestions || []).length) {
    nodes.push(
      el("div", { class: "suggestions", testid: "suggestions" },
        el("span", { class: "who", text: t("suggestions") }),
        el("ul", {}, ...reply.suggestions.map((s) => el("li", { text: s })))),
    );
  }
  if (reply.scorecard) nodes.push(scorecardNode(reply.scorecard));
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// scorecard

function scorecardNode(card) {
  const host = el("section", { class: "scorecard", testid: "scorecard", "aria-label": t("scorecard") });
  const checks = card.checks || [];
  const passed = checks.filter((c) => c.passed).length;
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
        stat(t("talkRatio"), `${Math.round((card.talk_ratio || 0) * 100)}%`, card.talk_ratio || 0, "talk"),
        el("p", { class: "hint", text: `${t("turns")}: ${card.turns ?? "—"}` }))),
    el("ul", { class: "checks" }, ...checks.map(checkItem)),
  );
  return host;
}

function stat(label, value, fraction, kind) {
  return el("div", { class: "stat" },
    el("div", { class: "stat-top" }, el("span", { text: label }), el("strong", { text: value })),
    el("div", { class: `meter ${kind}` }, el("span", { style: `width:${Math.max(0, Math.min(1, fraction)) * 100}%` })));
}

function questionChart(counts) {
  const keys = ["situation", "problem", "implication", "need_payoff"];
  const letters = { situation: "S", problem: "P", implication: "I", need_payoff: "N" };
  const values = keys.map((k) => Number(counts[k]) || 0);
  const max = Math.max(1, ...values);
  const width = 280, height = 170, top = 18, bottom = 40, barWidth = 40, gap = (width - keys.length * barWidth) / (keys.length + 1);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": t("chartLabel"), class: "bar-chart" });
  root.dataset.testid = "score-chart";
  root.append(svg("title", {}, t("chartLabel")));
  root.append(svg("line", { x1: 8, x2: width - 8, y1: height - bottom, y2: height - bottom, class: "axis" }));
  keys.forEach((key, i) => {
    const x = gap + i * (barWidth + gap);
    const barHeight = ((height - top - bottom) * values[i]) / max;
    const y = height - bottom - barHeight;
    root.append(svg("rect", { x, y, width: barWidth, height: Math.max(barHeight, 1.5), rx: 6, class: `bar bar-${key}` }));
    root.append(svg("text", { x: x + barWidth / 2, y: y - 5, "text-anchor": "middle", class: "bar-value" }, String(values[i])));
    root.append(svg("text", { x: x + barWidth / 2, y: height - bottom + 16, "text-anchor": "middle", class: "bar-letter" }, letters[key]));
    root.append(svg("text", { x: x + barWidth / 2, y: height - bottom + 31, "text-anchor": "middle", class: "bar-label" },
      (I18N[state.ui].spin[key] || key).replace(/问题| Q$/u, "")));
  });
  return root;
}

function checkItem(check) {
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
  );
}

// ---------------------------------------------------------------------------------------------
// actions

function applyReply(reply) {
  if (!state.session) return;
  if (reply.stage) state.session.stage = reply.stage;
  if (reply.done) state.session.finished = true;
  if (reply.command === "restart") state.session.finished = false;
}

function setBusy(busy) {
  state.busy = busy;
  document.body.classList.toggle("busy", busy);
}

async function startSession(event) {
  event.preventDefault();
  if (state.busy) return;
  clearError();
  const mode = $("mode").value;
  const body = { mode, lang: $("session-lang").value };
  if (mode === "rehearsal") body.scenario = $("scenario").value;
  if (mode === "drill") body.framework = $("framework").value;
  setBusy(true);
  try {
    const result = await api("/api/sessions", { method: "POST", body });
    state.session = { id: result.session_id, mode, scenario: body.scenario || null, framework: body.framework || null,
      lang: body.lang, stage: result.reply.stage, finished: false };
    state.items = [{ kind: "reply", reply: result.reply }];
    applyReply(result.reply);
    rememberSession({ id: state.session.id, mode, scenario: state.session.scenario, framework: state.session.framework, lang: body.lang });
  } catch (error) {
    showError(error.message);
  } finally {
    setBusy(false);
    renderAll();
    $("message").focus();
  }
}

async function sendMessage(event) {
  event?.preventDefault();
  const input = $("message");
  const text = input.value.trim();
  if (!text || !state.session || state.busy) return;
  clearError();
  const item = { kind: "user", text, analysis: null };
  state.items.push(item);
  input.value = "";
  setBusy(true);
  renderAll();
  try {
    const result = await api(`/api/sessions/${encodeURIComponent(state.session.id)}/messages`, { method: "POST", body: { text } });
    item.analysis = result.reply.analysis || null;
    state.items.push({ kind: "reply", reply: result.reply });
    applyReply(result.reply);
    state.showCard = !!result.reply.scorecard;
    rememberSession({ id: state.session.id, mode: state.session.mode, scenario: state.session.scenario,
      framework: state.session.framework, lang: state.session.lang, finished: state.session.finished });
  } catch (error) {
    state.items.pop();
    input.value = text;
    showError(error.message);
  } finally {
    setBusy(false);
    renderAll();
    input.focus();
  }
}

async function showScore() {
  if (!state.session || state.busy) return;
  clearError();
  try {
    const result = await api(`/api/sessions/${encodeURIComponent(state.session.id)}/scorecard`);
    if (!result.scorecard) return;
    state.items.push({ kind: "scorecard", scorecard: result.scorecard });
    state.showCard = true;
    renderAll();
  } catch (error) {
    showError(error.message);
  }
}

async function resumeSession(id) {
  if (state.busy) return;
  clearError();
  setBusy(true);
  try {
    const data = await api(`/api/sessions/${encodeURIComponent(id)}`);
    state.session = { id: data.session_id, mode: data.mode, scenario: data.scenario, framework: data.framework,
      lang: data.lang, stage: data.stage, finished: !!data.finished };
    state.items = [];
    let scored = false;
    for (const turn of data.turns || []) {
      if (turn.role === "user") state.items.push({ kind: "user", text: turn.text, analysis: turn.data?.analysis || null });
      else if (turn.data && typeof turn.data === "object") {
        state.items.push({ kind: "reply", reply: turn.data });
        if (turn.data.scorecard) scored = true;
      } else state.items.push({ kind: "reply", reply: { coach: { text: turn.text, citations: [] } } });
    }
    state.session.stage = data.stage;
    state.session.finished = !!data.finished;
    if (data.finished && !scored && data.mode !== "ask") {
      try {
        const card = (await api(`/api/sessions/${encodeURIComponent(id)}/scorecard`)).scorecard;
        if (card) state.items.push({ kind: "scorecard", scorecard: card });
      } catch {
        /* the transcript alone is still worth showing */
      }
    }
    rememberSession({ id, mode: data.mode, scenario: data.scenario, framework: data.framework, lang: data.lang, finished: !!data.finished });
  } catch (error) {
    if (error.status === 404) {
      forgetSession(id);
      showError(t("sessionGone"));
    } else showError(error.message);
  } finally {
    setBusy(false);
    renderAll();
    renderSessionList();
  }
}

async function searchHandbooks(event) {
  event.preventDefault();
  const query = $("search-input").value.trim();
  const list = $("search-results");
  if (!query) return;
  clearError();
  list.replaceChildren(el("li", { class: "hint", text: t("loading") }));
  try {
    const data = await api(`/api/search?q=${encodeURIComponent(query)}&k=5`);
    list.replaceChildren();
    if (!(data.results || []).length) list.append(el("li", { class: "hint", testid: "search-empty", text: t("noResults") }));
    for (const r of data.results || []) {
      list.append(
        el("li", { testid: "search-result" },
          el("details", { class: "citation" },
            el("summary", {},
              el("span", { class: "cite-doc", text: r.doc || r.doc_id || "" }),
              r.section ? el("span", { class: "cite-section", text: r.section }) : null,
              typeof r.score === "number" ? el("span", { class: "cite-score", text: r.score.toFixed(2) }) : null),
            el("blockquote", { class: "cite-text", text: r.text || "" }),
            el("p", { class: "cite-meta", text: r.passage_id || "" }))),
      );
    }
  } catch (error) {
    list.replaceChildren();
    showError(error.message);
  }
}

// ---------------------------------------------------------------------------------------------
// wiring

function init() {
  $("session-lang").value = state.ui;
  applyStaticText();
  syncModeFields();
  renderSessionList();
  renderAll();

  $("ui-lang").addEventListener("change", (e) => setUiLanguage(e.target.value));
  $("mode").addEventListener("change", syncModeFields);
  $("scenario").addEventListener("change", describeScenario);
  $("start-form").addEventListener("submit", startSession);
  $("composer").addEventListener("submit", sendMessage);
  $("score-button").addEventListener("click", showScore);
  $("search-form").addEventListener("submit", searchHandbooks);
  $("error-close").addEventListener("click", clearError);
  $("message").addEventListener("keydown", (e) => {
    // Enter sends; Shift+Enter adds a line; never send while an IME is composing Chinese.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) sendMessage(e);
  });

  const active = localStorage.getItem(ACTIVE_KEY);
  if (active && savedSessions().some((s) => s.id === active)) resumeSession(active);
  document.body.dataset.ready = "true";
}

init();
