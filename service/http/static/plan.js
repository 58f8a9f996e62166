// The Plan tab: tomorrow's client in, a cited visit plan out (POST /api/plans) — SPIN questions per
// suspected difficulty, a FABE outline, an LSCPA plan for the expected objection, the role's advice
// and a next step — printable, downloadable as Markdown, and rehearsable (POST /api/plans/{id}/rehearsal).

import { $, addStrings, api, citationNodes, download, el, pick, t, ui } from "./common.js";
import { labelName, SPIN_KEYS, SPIN_LETTERS } from "./scorecard.js";

const LAST_KEY = "salescoach.plan";
const CUTE_ROLES = ["coach", "user", "technical_gatekeeper", "economic_buyer"];
const DECISION_ROLES = ["", "decision_maker", "influencer", "gatekeeper", "user", "purchaser"];
const state = { result: null, busy: false, onRehearsal: null, difficulties: [] };

const lines = (id) => $(id).value.split("\n").map((line) => line.trim()).filter(Boolean);
const optional = (id) => $(id).value.trim() || null;

function formBody() {
  return {
    lang: $("plan-lang").value,
    company: $("plan-company").value.trim(),
    industry: $("plan-industry").value.trim(),
    person: {
      name: $("plan-person-name").value.trim(),
      title: $("plan-person-title").value.trim(),
      cute_role: $("plan-cute-role").value,
      decision_role: $("plan-decision-role").value || null,
    },
    facts: lines("plan-facts"),
    difficulties: lines("plan-difficulties"),
    objection: optional("plan-objection"),
    goal: { highest: $("plan-goal-highest").value.trim(), lowest: $("plan-goal-lowest").value.trim() },
    date: optional("plan-date"),
  };
}

function clearFieldErrors() {
  for (const node of document.querySelectorAll("#plan-form .field-error")) node.remove();
  for (const node of document.querySelectorAll("#plan-form [aria-invalid]")) node.removeAttribute("aria-invalid");
}

/** Show each 422 detail next to its field ("body.person.name" → the person's name field). */
function showFieldErrors(error) {
  const details = Array.isArray(error.details) ? error.details : [];
  let first = null;
  for (const detail of details) {
    const path = String(detail.field ?? (Array.isArray(detail.loc) ? detail.loc.join(".") : "")).replace(/^body\.?/, "");
    const parts = path.split(".").filter((p) => !/^\d+$/.test(p));
    let field = null;
    while (parts.length && !field) {
      field = document.querySelector(`#plan-form [data-field="${CSS.escape(parts.join("."))}"]`);
      parts.pop();
    }
    if (!field) continue;
    const control = field.querySelector("input, select, textarea");
    const id = `${control.id}-error`;
    if (!document.getElementById(id)) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", id);
      field.append(el("p", { class: "hint field-error", id, role: "alert", testid: "plan-field-error", text: detail.message || error.message }));
    }
    first ||= control;
  }
  if (first) first.focus();
  return !!first;
}

function message(text) {
  $("plan-message").textContent = text || "";
  $("plan-message").hidden = !text;
  if (text) $("plan-message").scrollIntoView({ block: "nearest" });
}

async function submit(event) {
  event.preventDefault();
  if (state.busy) return;
  clearFieldErrors();
  message("");
  state.busy = true;
  try {
    show(await api("/api/plans", { method: "POST", body: formBody() }));
  } catch (error) {
    if (error.status === 404 || error.status === 405) message(t("notAvailable"));
    else if (!(error.status === 422 && showFieldErrors(error))) message(error.message);
  } finally {
    state.busy = false;
  }
}

function show(result) {
  state.result = result;
  if (result?.plan_id) {
    try {
      localStorage.setItem(LAST_KEY, result.plan_id);
    } catch {
      /* a convenience only */
    }
  }
  render();
}

async function load(id) {
  try {
    show(await api(`/api/plans/${encodeURIComponent(id)}`));
  } catch (error) {
    if (error.status === 404) localStorage.removeItem(LAST_KEY);
  }
}

// ---------------------------------------------------------------------------------------------
// the filled plan

/** A plan key's name: the plan's own words, else a framework label's (LSCPA steps, FABE parts). */
function keyName(key) {
  const named = t("planKeys")[key];
  if (named) return named;
  for (const framework of ["lscpa", "fabe", "spin"]) {
    const name = labelName(framework, key);
    if (name !== key) return name;
  }
  return String(key).replaceAll("_", " ");
}

/** Any plan section as nested lists: text, lists of text, {key: value} with named keys, citations. */
function value(node) {
  if (node === null || node === undefined || node === "") return null;
  if (typeof node !== "object") return el("p", { text: String(node) });
  if (Array.isArray(node)) {
    if (!node.length) return null;
    if (node.every((item) => item && typeof item === "object" && "passage_id" in item)) return el("div", {}, ...citationNodes(node));
    return el("ul", {}, ...node.map((item) => el("li", {}, typeof item === "object" ? value(item) : String(item))));
  }
  const rows = Object.entries(node).filter(([key, v]) => v !== null && v !== undefined && v !== "" && key !== "citations");
  return el("div", { class: "plan-object" },
    el("dl", {}, ...rows.flatMap(([key, v]) => [el("dt", { text: keyName(key) }), el("dd", {}, value(v))])),
    node.citations?.length ? el("div", {}, ...citationNodes(node.citations)) : null);
}

function section(title, testid, ...content) {
  const body = content.filter(Boolean);
  if (!body.length) return null;
  return el("section", { class: "plan-section", testid }, el("h2", { text: title }), ...body);
}

function difficultyBlock(difficulty) {
  const questions = difficulty.questions || {};
  return el("li", { class: "plan-difficulty", testid: "plan-difficulty" },
    el("h3", { text: difficulty.text || "" }),
    el("ol", { class: "plan-questions" }, ...SPIN_KEYS.flatMap((kind) => (questions[kind] || []).map((q) =>
      el("li", { class: `plan-question spin-${kind}`, testid: "plan-question", "data-kind": kind },
        el("span", { class: "badge spin", text: `${SPIN_LETTERS[kind]} · ${labelName("spin", kind)}` }), " ",
        el("span", { text: typeof q === "string" ? q : q.text || "" }))))),
    difficulty.citations?.length ? el("div", {}, ...citationNodes(difficulty.citations)) : null);
}

function objectionPlan(plan) {
  const op = plan.objection_plan;
  if (!op || typeof op !== "object") return value(op);
  return el("div", {},
    op.objection ? el("p", { class: "plan-quote", text: `“${op.objection}”` }) : null,
    el("ol", { class: "plan-steps" }, ...(op.steps || []).map((s) =>
      el("li", { testid: "plan-lscpa-step", "data-step": s.step },
        el("span", { class: "badge lscpa", text: labelName("lscpa", s.step) }), " ", el("span", { text: s.text || "" })))),
    op.citations?.length ? el("div", {}, ...citationNodes(op.citations)) : null);
}

function roleAdvice(plan) {
  const ra = plan.role_advice;
  if (!ra || typeof ra !== "object" || !("cares" in ra)) return value(ra);
  const list = (key, items) => (items || []).length
    ? [el("h3", { text: t("planKeys")[key] }), el("ul", {}, ...items.map((item) => el("li", { text: item })))] : [];
  return el("div", {},
    el("p", {}, el("strong", { text: ra.name || t("cuteRoles")[ra.role] || ra.role || "" }), ra.summary ? ` — ${ra.summary}` : ""),
    ...list("cares_about", ra.cares), ...list("give", ra.give), ...list("avoid", ra.avoid),
    ra.citations?.length ? el("div", {}, ...citationNodes(ra.citations)) : null);
}

function render() {
  const result = state.result;
  $("plan-intro").hidden = !!state.result;
  $("plan-result").hidden = !result;
  if (!result) return;
  const plan = result.plan || {};
  const person = plan.person || {};
  $("plan-result-title").textContent = [t("planFor"), plan.company, person.name].filter(Boolean).join(" · ");
  const role = t("cuteRoles")[person.cute_role] || person.cute_role;
  const basics = [
    [t("planCompany"), plan.company], [t("planIndustry"), plan.industry],
    [t("planPersonName"), [person.name, person.title].filter(Boolean).join(" · ")], [t("planCuteRole"), role],
    [t("planDecisionRole"), t("decisionRoles")[person.decision_role] || person.decision_role],
    [t("planDate"), plan.date], [t("planGoalHighest"), plan.goal?.highest], [t("planGoalLowest"), plan.goal?.lowest],
  ].filter(([, v]) => v);
  $("plan-body").replaceChildren(...[
    section(t("planBasics"), "plan-basics", el("dl", { class: "plan-basics" }, ...basics.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]))),
    section(t("planFacts"), "plan-facts-list", value(plan.facts)),
    section(t("planQuestions"), "plan-questions", (plan.difficulties || []).length
      ? el("ol", { class: "plan-difficulties" }, ...(plan.difficulties || []).map((d) => (typeof d === "string" ? el("li", { text: d }) : difficultyBlock(d))))
      : null),
    section(t("planFabe"), "plan-fabe", value(plan.fabe)),
    section(t("planObjectionPlan"), "plan-objection", objectionPlan(plan)),
    section(t("planRoleAdvice"), "plan-role-advice", roleAdvice(plan)),
    section(t("planNextStep"), "plan-next-step", value(plan.next_step)),
    section(t("planCitations"), "plan-citations", (plan.citations || []).length ? el("div", {}, ...citationNodes(plan.citations)) : null),
  ].filter(Boolean));
  fillDifficulties();
}

function fillDifficulties() {
  const select = $("plan-rehearse-difficulty");
  const current = select.value;
  select.replaceChildren(el("option", { value: "", text: t("defaultDifficulty") }),
    ...state.difficulties.map((d) => el("option", { value: d.id, text: pick(d.names) })));
  select.value = current || "";
}

function fillRoles() {
  const fill = (select, roles, names) => {
    const current = select.value;
    select.replaceChildren(...roles.map((role) => el("option", { value: role, text: names[role] || t("none") })));
    if (current) select.value = current;
  };
  fill($("plan-cute-role"), CUTE_ROLES, t("cuteRoles"));
  fill($("plan-decision-role"), DECISION_ROLES, t("decisionRoles"));
}

async function rehearse() {
  const result = state.result;
  if (!result?.plan_id || state.busy) return;
  const difficulty = $("plan-rehearse-difficulty").value;
  state.busy = true;
  message("");
  try {
    const started = await api(`/api/plans/${encodeURIComponent(result.plan_id)}/rehearsal`,
      { method: "POST", body: difficulty ? { difficulty } : {} });
    const plan = result.plan || {};
    const person = plan.person || {};
    const title = [plan.company, person.name].filter(Boolean).join(" · ");
    await state.onRehearsal(started, {
      lang: plan.lang || ui.lang,
      scenarioInfo: { title: { zh: title, en: title },
        persona: { name: { zh: person.name, en: person.name }, title: { zh: person.title, en: person.title }, cute_role: person.cute_role } },
    });
  } catch (error) {
    message(error.status === 404 || error.status === 405 ? t("notAvailable") : error.message);
  } finally {
    state.busy = false;
  }
}

/** The plan as Markdown: the API's own when it sends one, else built from the JSON. */
export function planMarkdown(result) {
  if (typeof result.markdown === "string" && result.markdown.trim()) return result.markdown;
  const plan = result.plan || {};
  const out = [`# ${$("plan-result-title").textContent}`, ""];
  const walk = (node, depth) => {
    if (node === null || node === undefined || node === "") return;
    const pad = "  ".repeat(depth);
    if (typeof node !== "object") out.push(`${pad}- ${node}`);
    else if (Array.isArray(node)) node.forEach((item) => walk(item, depth));
    else if ("passage_id" in node) out.push(`${pad}- > ${(ui.lang === "en" && node.text_en) || node.text} (${node.doc})`);
    else for (const [key, v] of Object.entries(node)) {
      if (typeof v === "object" && v !== null) { out.push(`${pad}- **${keyName(key)}**`); walk(v, depth + 1); }
      else if (v !== null && v !== "") out.push(`${pad}- **${keyName(key)}**: ${v}`);
    }
  };
  for (const key of ["person", "goal", "facts", "difficulties", "fabe", "objection_plan", "role_advice", "next_step", "citations"]) {
    if (plan[key] === undefined) continue;
    out.push(`## ${keyName(key)}`, "");
    walk(plan[key], 0);
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

export function initPlan({ onRehearsal, difficulties }) {
  state.onRehearsal = onRehearsal;
  state.difficulties = difficulties || [];
  $("plan-lang").value = ui.lang;
  fillRoles();
  $("plan-form").addEventListener("submit", submit);
  $("plan-rehearse").addEventListener("click", rehearse);
  $("plan-print").addEventListener("click", () => window.print());
  // Print every citation of the plan opened, then put them back as they were.
  let closed = [];
  window.addEventListener("beforeprint", () => {
    closed = [...document.querySelectorAll("#plan-body details:not([open])")];
    for (const node of closed) node.open = true;
  });
  window.addEventListener("afterprint", () => {
    for (const node of closed) node.open = false;
    closed = [];
  });
  $("plan-markdown").addEventListener("click", () =>
    download(`plan-${state.result?.plan_id || "visit"}.md`, planMarkdown(state.result), "text/markdown;charset=utf-8"));
  const last = localStorage.getItem(LAST_KEY);
  if (last) load(last);
  return { render() { fillRoles(); render(); } };
}

addStrings({
  zh: {
    planTitle: "准备一次拜访",
    planIntro: "填好左边的表单：客户、拜访对象和他的 CUTE 角色、已知情况、猜测的难点、预计的异议和目标。教练会给出每个难点的 SPIN 问题、FABE 要点、LSCPA 异议处理、针对角色的建议和下一步，都附手册出处；可以打印、下载，也可以直接演练。",
    planLang: "计划语言",
    planCompany: "客户公司",
    planIndustry: "行业",
    planPerson: "拜访对象",
    planPersonName: "姓名",
    planPersonTitle: "职务",
    planCuteRole: "CUTE 角色",
    planDecisionRole: "决策链角色",
    planFacts: "已知情况",
    planDifficulties: "猜测的难点",
    planObjection: "预计的异议",
    planGoalHighest: "最高目标",
    planGoalLowest: "最低目标",
    planDate: "拜访日期",
    planSubmit: "生成拜访计划",
    onePerLine: "每行一条",
    planFor: "拜访计划",
    planBasics: "基本信息",
    planQuestions: "要问的问题（SPIN）",
    planFabe: "FABE 介绍要点",
    planObjectionPlan: "异议处理（LSCPA）",
    planRoleAdvice: "针对这个角色",
    planNextStep: "建议的下一步",
    planCitations: "手册出处",
    planRehearse: "演练这个计划",
    print: "打印",
    none: "（不确定）",
    cuteRoles: { coach: "采购指导（内线）", user: "用户", technical_gatekeeper: "技术把关者", economic_buyer: "最终决策者" },
    decisionRoles: { decision_maker: "决策者", influencer: "影响者", gatekeeper: "把关者", user: "使用者", purchaser: "采购者" },
    planKeys: {
      person: "拜访对象", goal: "目标", facts: "已知情况", difficulties: "难点与问题", fabe: "FABE 介绍要点",
      objection_plan: "异议处理", role_advice: "角色建议", next_step: "下一步", citations: "出处", text: "内容",
      need: "需求", steps: "步骤", highest: "最高目标", lowest: "最低目标", name: "姓名", title: "职务",
      cute_role: "CUTE 角色", decision_role: "决策链角色", cares_about: "关心什么", give: "给他什么", avoid: "避免",
    },
  },
  en: {
    planTitle: "Prepare a visit",
    planIntro: "Fill in the form: the client, the person you will meet and their CUTE role, what you know, the difficulties you suspect, the objection you expect and your goals. The coach returns SPIN questions for each difficulty, a FABE outline, an LSCPA plan, advice for the role and a next step, all cited — to print, download or rehearse.",
    planLang: "Plan language",
    planCompany: "Client company",
    planIndustry: "Industry",
    planPerson: "Who you will meet",
    planPersonName: "Name",
    planPersonTitle: "Title",
    planCuteRole: "CUTE role",
    planDecisionRole: "Decision-chain role",
    planFacts: "What you know",
    planDifficulties: "Suspected difficulties",
    planObjection: "Expected objection",
    planGoalHighest: "Highest goal",
    planGoalLowest: "Lowest goal",
    planDate: "Visit date",
    planSubmit: "Build the visit plan",
    onePerLine: "one per line",
    planFor: "Visit plan",
    planBasics: "The visit",
    planQuestions: "Questions to ask (SPIN)",
    planFabe: "FABE outline",
    planObjectionPlan: "Handling the objection (LSCPA)",
    planRoleAdvice: "For this role",
    planNextStep: "Proposed next step",
    planCitations: "Handbook sources",
    planRehearse: "Rehearse this plan",
    print: "Print",
    none: "(not sure)",
    cuteRoles: { coach: "Coach", user: "User", technical_gatekeeper: "Technical gatekeeper", economic_buyer: "Economic buyer" },
    decisionRoles: { decision_maker: "Decision maker", influencer: "Influencer", gatekeeper: "Gatekeeper", user: "User", purchaser: "Purchaser" },
    planKeys: {
      person: "Person", goal: "Goal", facts: "What you know", difficulties: "Difficulties and questions", fabe: "FABE outline",
      objection_plan: "Objection plan", role_advice: "Role advice", next_step: "Next step", citations: "Sources", text: "Text",
      need: "Need", steps: "Steps", highest: "Highest", lowest: "Lowest", name: "Name", title: "Title",
      cute_role: "CUTE role", decision_role: "Decision-chain role", cares_about: "Cares about", give: "Give them", avoid: "Avoid",
    },
  },
});
