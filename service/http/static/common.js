// Shared pieces of the SalesCoach page: the DOM builder, the API client, the interface language and
// handbook citations. Every piece of data goes into the DOM through textContent or createElement —
// never innerHTML — so a transcript holding "<script>" stays text.

export const boot = JSON.parse(document.getElementById("boot").textContent);
export const BASE = boot.base || "";

const STRINGS = { zh: {}, en: {} };
export const ui = { lang: boot.lang === "en" ? "en" : "zh" };

/** Add a module's interface strings ({zh: {...}, en: {...}}). */
export function addStrings(strings) {
  for (const lang of Object.keys(STRINGS)) Object.assign(STRINGS[lang], strings[lang] || {});
}

export const t = (key) => STRINGS[ui.lang][key] ?? STRINGS.en[key] ?? key;

/** The interface-language side of a {zh, en} pair. */
export function pick(localized) {
  if (!localized || typeof localized !== "object") return localized || "";
  return localized[ui.lang] || localized.zh || localized.en || "";
}

export const $ = (id) => document.getElementById(id);

/** Create an element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
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
export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---------------------------------------------------------------------------------------------
// API

export class ApiError extends Error {}

/** Call the JSON API; a non-2xx answer throws an ApiError with the status, code and details. */
export async function api(path, options = {}) {
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
    error.details = payload?.error?.details ?? (Array.isArray(payload?.detail) ? payload.detail : null);
    throw error;
  }
  return payload;
}

/** Offer text as a file download. */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---------------------------------------------------------------------------------------------
// citations: the interface language's text first, the other one a click away

/** A handbook citation: its document and section, the passage in the interface language, and a
 *  toggle to the other side (the Chinese original in the English interface, and the reverse). */
export function citationNode(c, options = {}) {
  const english = ui.lang === "en" && !!c.text_en;
  const main = english ? c.text_en : c.text || "";
  const other = english ? c.text : c.text_en || "";
  const doc = (english && c.doc_en) || c.doc || c.doc_id || "";
  const section = (english && c.section_en) || c.section || "";
  const otherText = el("blockquote", {
    class: "cite-text cite-other", testid: english ? "citation-original" : "citation-translation",
    lang: english ? "zh-CN" : "en", hidden: true, text: other,
  });
  const toggle = other
    ? el("button", {
        type: "button", class: "link cite-toggle", testid: "citation-toggle", "aria-expanded": "false",
        text: english ? t("showOriginal") : t("showEnglish"),
        onclick: (event) => {
          otherText.hidden = !otherText.hidden;
          event.currentTarget.setAttribute("aria-expanded", String(!otherText.hidden));
          event.currentTarget.textContent = otherText.hidden
            ? english ? t("showOriginal") : t("showEnglish")
            : english ? t("hideOriginal") : t("hideEnglish");
        },
      })
    : null;
  const link = c.passage_id
    ? el("a", {
        class: "cite-link", target: "_blank", rel: "noopener",
        href: `${BASE}/passages/${encodeURIComponent(c.passage_id)}${ui.lang === "en" ? "?lang=en" : ""}`,
        text: t("openPassage"),
      })
    : null;
  return el(
    "details",
    { class: "citation", testid: options.testid || "citation" },
    el("summary", {},
      options.mark === false ? null : el("span", { class: "cite-mark", text: `§ ${t("citation")}` }),
      el("span", { class: "cite-doc", text: doc }),
      section ? el("span", { class: "cite-section", text: section }) : null,
      typeof options.score === "number" ? el("span", { class: "cite-score", text: options.score.toFixed(2) }) : null),
    el("blockquote", { class: "cite-text", testid: "citation-text", lang: english ? "en" : "zh-CN", text: main }),
    el("div", { class: "cite-tools" }, toggle, link),
    otherText,
  );
}

export const citationNodes = (citations) => (citations || []).map((c) => citationNode(c));

addStrings({
  zh: {
    citation: "出处",
    showOriginal: "原文",
    hideOriginal: "收起原文",
    showEnglish: "English",
    hideEnglish: "收起英文",
    openPassage: "打开段落",
    genericError: "出了点问题，请稍后再试。",
    networkError: "连不上服务器，请检查网络后再试。",
    notAvailable: "这项功能在这台服务器上还没有开放。",
  },
  en: {
    citation: "Source",
    showOriginal: "原文 · Chinese original",
    hideOriginal: "Hide the original",
    showEnglish: "English",
    hideEnglish: "Hide the English",
    openPassage: "Open the passage",
    genericError: "Something went wrong. Please try again.",
    networkError: "Can't reach the server. Please check your connection and try again.",
    notAvailable: "This feature is not available on this server yet.",
  },
});
