// SalesCoach page: vanilla ES module, no framework. Every piece of data goes into the DOM through
// textContent or createElement — never innerHTML — so a transcript holding "<script>" stays text.

import { $, addStrings, api, boot, citationNode, citationNodes, el, pick, t, ui } from "./common.js";
import { analysisBadges, frameworkTitle, scorecardNode, unitGroups } from "./scorecard.js";
import { initPlan } from "./plan.js";
import { initReview } from "./review.js";

const BUILT_IN = boot.scenarios || [];
let SCENARIOS = BUILT_IN;
const FRAMEWORKS = boot.frameworks || [];
const DIFFICULTIES = boot.difficulties || [];
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
    section: "章节",
    suggestions: "试试这样说",
    stages: {
      opening: "开场", situation: "S 背景", problem: "P 难点", implication: "I 暗示",
      need_payoff: "N 需求效益", pitch: "介绍方案", objection: "处理异议", commitment: "推进承诺",
    },
    difficulty: "难度",
    defaultDifficulty: "默认（场景设定）",
    learnedPanel: "客户信息",
    learnedPanelHint: "客户在回答中透露的情况、难点、影响和需求会出现在这里。",
    customScenario: "自定义",
    tabPractice: "练习",
    tabReview: "复盘",
    tabPlan: "拜访计划",
    tabsLabel: "功能",
    modeNames: { rehearsal: "情景演练", drill: "专项练习", ask: "向教练提问" },
    stageDone: "已结束",
    finished: "已结束",
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
    section: "Section",
    suggestions: "Try saying",
    stages: {
      opening: "Opening", situation: "S Situation", problem: "P Problem", implication: "I Implication",
      need_payoff: "N Need-payoff", pitch: "Pitch", objection: "Objection", commitment: "Commitment",
    },
    difficulty: "Difficulty",
    defaultDifficulty: "Default (the scenario's)",
    learnedPanel: "What you've learned",
    learnedPanelHint: "Facts, difficulties, consequences and needs the client reveals appear here.",
    customScenario: "custom",
    tabPractice: "Practice",
    tabReview: "Review",
    tabPlan: "Visit plan",
    tabsLabel: "Sections",
    modeNames: { rehearsal: "Rehearsal", drill: "Drill", ask: "Ask the coach" },
    stageDone: "Finished",
    finished: "finished",
    sessionGone: "That session no longer exists on the server; it was removed from the list.",
    loading: "Loading…",
  },
};

// ---------------------------------------------------------------------------------------------
// state

const state = {
  session: null, // {id, mode, scenario, framework, lang, stage, finished}
  items: [], // rendered history: [{kind: "user", text, analysis} | {kind: "reply", reply}]
  busy: false,
  showCard: false, // scroll the transcript to the newest scorecard on the next render
  searchResults: null, // the last handbook search's results (re-rendered in the other language)
};

addStrings(I18N);

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
  if (info.mode === "drill") return `${names.drill} · ${frameworkTitle(info.framework || "")}`;
  return names.ask;
}


function renderSessionList() {
  const list = $("session-list");
  list.replaceChildren();
  const sessions = savedSessions();
  $("sessions-empty").hidden = sessions.length > 0;
  for (const info of sessions) {
    const active = state.session?.id === info.id;
    const when = info.updated ? new Date(info.updated).toLocaleString(ui.lang === "zh" ? "zh-CN" : "en-GB") : "";
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
  document.documentElement.lang = ui.lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  $("message").placeholder = t("placeholder");
  $("search-input").placeholder = t("searchPlaceholder");
  fillScenarios();
  fillFrameworks();
  fillDifficulties();
}

function fillFrameworks() {
  const select = $("framework");
  const current = select.value;
  select.replaceChildren(...FRAMEWORKS.filter((f) => f.drill).map((f) => el("option", { value: f.id, text: pick(f.names) })));
  if (current) select.value = current;
}

function fillDifficulties() {
  const select = $("difficulty");
  const current = select.value;
  select.replaceChildren(
    el("option", { value: "", text: t("defaultDifficulty") }),
    ...DIFFICULTIES.map((d) => el("option", { value: d.id, text: pick(d.names) })),
  );
  select.value = current || "";
}

/** Built-in and custom scenarios from the API (the boot data has the built-in ones already). */
async function loadScenarios() {
  try {
    const data = await api("/api/scenarios");
    if (Array.isArray(data?.scenarios) && data.scenarios.length) {
      SCENARIOS = data.scenarios;
      fillScenarios();
    }
  } catch {
    /* the boot data's scenarios remain */
  }
}

/** Make sure a scenario (e.g. one built from a visit plan) can be named in the chat title. */
function knowScenario(scenario) {
  if (scenario?.id && !scenarioById(scenario.id)) SCENARIOS = [...SCENARIOS, { custom: true, ...scenario }];
}

function fillScenarios() {
  const select = $("scenario");
  const current = select.value;
  const builtIn = new Set(BUILT_IN.map((s) => s.id));
  const option = (s) => el("option", { value: s.id, text: pick(s.title) || s.id });
  const custom = SCENARIOS.filter((s) => !builtIn.has(s.id) || s.custom);
  const standard = SCENARIOS.filter((s) => !custom.includes(s));
  select.replaceChildren(...standard.map(option));
  if (custom.length) {
    select.append(el("optgroup", { label: t("customScenario"), testid: "custom-scenarios" }, ...custom.map(option)));
  }
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
  ui.lang = lang;
  $("ui-lang").value = lang;
  const url = new URL(window.location.href);
  url.searchParams.set("lang", lang);
  window.history.replaceState(null, "", url);
  applyStaticText();
  renderSessionList();
  renderAll();
  renderSearchResults();
  for (const view of Object.values(views)) view.render();
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
  const level = DIFFICULTIES.find((d) => d.id === session?.difficulty);
  $("chat-subtitle").textContent = scenario
    ? [pick(scenario.persona?.name), pick(scenario.persona?.title), level && `${t("difficulty")}: ${pick(level.names)}`]
        .filter(Boolean).join(" · ")
    : session
      ? [session.mode === "ask" ? null : t("modeNames")[session.mode], language].filter(Boolean).join(" · ")
      : "";
  $("score-button").hidden = !(session && session.mode !== "ask");
  $("message").disabled = !session || state.busy;
  $("send").disabled = !session || state.busy;
  renderStageBar();
  renderLearned();

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
    else if (item.kind === "scorecard") transcript.append(scorecardNode(item.scorecard, { onDrill: startDrill }));
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

/** The "what you've learned" panel: every unit the client revealed so far, grouped by kind. */
function renderLearned() {
  const panel = $("learned");
  const session = state.session;
  panel.hidden = !(session && session.mode === "rehearsal");
  if (panel.hidden) return;
  const units = state.items.filter((i) => i.kind === "reply").flatMap((i) => i.reply.revealed || []);
  $("learned-count").textContent = String(units.length);
  $("learned-hint").hidden = units.length > 0;
  $("learned-list").replaceChildren(...unitGroups(units, { testid: "learned-item" }));
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
  if (reply.scorecard) nodes.push(scorecardNode(reply.scorecard, { onDrill: startDrill }));
  return nodes;
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
  if (mode === "rehearsal" && $("difficulty").value) body.difficulty = $("difficulty").value;
  if (mode === "drill") body.framework = $("framework").value;
  await postSession(body);
}

/** POST /api/sessions with `body` and show the session it opens (errors go to the page's banner). */
async function postSession(body) {
  setBusy(true);
  try {
    const result = await api("/api/sessions", { method: "POST", body });
    openSession(result, body);
  } catch (error) {
    showError(error.message);
  } finally {
    setBusy(false);
    renderAll();
    $("message").focus();
  }
}

/** Show a session just started (here, from a visit plan, or a drill from a scorecard's miss). */
function openSession(result, body) {
  const mode = body.mode;
  state.session = { id: result.session_id, mode, scenario: body.scenario || null, framework: body.framework || null,
    lang: body.lang, stage: result.reply.stage, finished: false, difficulty: result.reply.difficulty || null };
  state.items = [{ kind: "reply", reply: result.reply }];
  applyReply(result.reply);
  rememberSession({ id: state.session.id, mode, scenario: state.session.scenario, framework: state.session.framework, lang: body.lang });
}

/** Show a rehearsal the API already opened (a visit plan's) in the Practice tab: its scenario id
 *  comes from the session, its title from the scenario list (or the plan, if not listed). */
async function showPlanRehearsal(result, info) {
  let scenario = null;
  try {
    scenario = (await api(`/api/sessions/${encodeURIComponent(result.session_id)}`)).scenario;
  } catch {
    /* the session works without knowing its scenario's name */
  }
  await loadScenarios();
  if (scenario) knowScenario({ id: scenario, ...info.scenarioInfo });
  selectTab("practice");
  openSession(result, { mode: "rehearsal", scenario, lang: info.lang });
  renderAll();
  $("message").focus();
}

async function startDrill(framework) {
  if (state.busy) return;
  const lang = state.session?.lang || ui.lang;
  clearError();
  selectTab("practice");
  await postSession({ mode: "drill", framework, lang });
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
      lang: data.lang, stage: data.stage, finished: !!data.finished,
      difficulty: (data.turns || []).find((turn) => turn.data?.difficulty)?.data.difficulty || null };
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
    state.searchResults = data.results || [];
    renderSearchResults();
  } catch (error) {
    list.replaceChildren();
    showError(error.message);
  }
}

function renderSearchResults() {
  const list = $("search-results");
  if (!state.searchResults) return;
  list.replaceChildren();
  if (!state.searchResults.length) list.append(el("li", { class: "hint", testid: "search-empty", text: t("noResults") }));
  for (const r of state.searchResults) {
    list.append(el("li", { testid: "search-result" }, citationNode(r, { mark: false, score: r.score, testid: "search-citation" })));
  }
}

// ---------------------------------------------------------------------------------------------
// tabs: practice, review, plan (the hash names the tab, so a reload keeps it)

const TABS = ["practice", "review", "plan"];
const views = {};

function selectTab(name, options = {}) {
  const tab = TABS.includes(name) ? name : "practice";
  for (const other of TABS) {
    const button = $(`tab-${other}`);
    const selected = other === tab;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`view-${other}`).hidden = !selected;
  }
  const hash = tab === "practice" ? "" : `#${tab}`;
  if (!options.keepHash && window.location.hash.split("/")[0] !== hash) {
    window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}${hash}`);
  }
  if (options.focus) $(`tab-${tab}`).focus();
}

function onTabKey(event) {
  const index = TABS.indexOf(event.currentTarget.dataset.tab);
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (step) selectTab(TABS[(index + step + TABS.length) % TABS.length], { focus: true });
  else if (event.key === "Home") selectTab(TABS[0], { focus: true });
  else if (event.key === "End") selectTab(TABS[TABS.length - 1], { focus: true });
  else return;
  event.preventDefault();
}

// ---------------------------------------------------------------------------------------------
// wiring

function init() {
  $("session-lang").value = ui.lang;
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

  for (const name of TABS) {
    $(`tab-${name}`).addEventListener("click", () => selectTab(name));
    $(`tab-${name}`).addEventListener("keydown", onTabKey);
  }
  views.review = initReview({ onDrill: startDrill });
  views.plan = initPlan({ onRehearsal: showPlanRehearsal, difficulties: DIFFICULTIES });
  selectTab(window.location.hash.slice(1).split("/")[0], { keepHash: true });
  loadScenarios();

  const drill = new URLSearchParams(window.location.search).get("drill");
  const active = localStorage.getItem(ACTIVE_KEY);
  if (drill && FRAMEWORKS.some((f) => f.id === drill && f.drill)) {
    // a scorecard's "practise this" link: /?drill=FRAMEWORK
    const url = new URL(window.location.href);
    url.searchParams.delete("drill");
    window.history.replaceState(null, "", url);
    startDrill(drill);
  } else if (active && savedSessions().some((s) => s.id === active)) resumeSession(active);
  document.body.dataset.ready = "true";
}

init();
