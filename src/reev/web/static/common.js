// Shared helpers of the dashboard pages: the API client, safe DOM building, formatting,
// the theme toggle. Data is only ever inserted as text (never innerHTML), so nothing an
// agent or a benchmark wrote can inject markup.

export const API = "/api/v1";

/** Fetch JSON from the API; a 4xx/5xx throws an Error carrying the API's `detail`. */
export async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  const token = localStorage.getItem("reev-token");
  if (token && options.method && options.method !== "GET") headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined && typeof options.body !== "string") {
    headers["Content-Type"] = "application/json";
    options = { ...options, body: JSON.stringify(options.body) };
  }
  const response = await fetch(API + path, { ...options, headers });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) {
    const detail = data && data.detail !== undefined ? data.detail : text;
    const error = new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
    error.status = response.status;
    if (response.status === 401) {
      error.message += " — set the API token with the ⚿ button (stored in this browser only)";
    }
    throw error;
  }
  return data;
}

/** el("a", {href: "/x", class: "y"}, "text", child) — attributes and text, never HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) { node.replaceChildren(); return node; }

export function pct(value, digits = 0) {
  return value === null || value === undefined ? "–" : `${(100 * value).toFixed(digits)}%`;
}

export function interval(iv) {
  if (!iv || iv.value === null || iv.value === undefined) return "–";
  const range = iv.low === null || iv.low === undefined ? "" : ` [${pct(iv.low)}–${pct(iv.high)}]`;
  return pct(iv.value, 1) + range;
}

/** reev's colours: green 100 %, red below 25 %, yellow in between, grey not run. */
export function scoreClass(score) {
  if (score === null || score === undefined) return "s-none";
  if (score >= 1) return "s-full";
  if (score < 0.25) return "s-low";
  return "s-partial";
}

export function when(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

export function showError(error) {
  const box = document.getElementById("error");
  if (!box) return;
  box.textContent = error ? String(error.message || error) : "";
  box.hidden = !error;
}

/** passed / failed / error / infrastructure: an error is never shown as a failure. */
export const OUTCOME_TEXT = {
  passed: "passed", failed: "failed", error: "error", infrastructure: "infrastructure error",
};

export function outcomeBadge(outcome) {
  return el("span", { class: `badge outcome-${outcome}`, dataset: { outcome } }, OUTCOME_TEXT[outcome] || outcome);
}

/** The outcome of an episode or job from its status, passed flag and error kind. */
export function outcomeOf(e) {
  if (e.error_kind === "infrastructure" || e.error_kind === "benchmark") return "infrastructure";
  if (e.status === "error" || e.status === "Error") return "error";
  return e.passed ? "passed" : "failed";
}

/** Base units → whole units with separators: units(1500000000, 9) = "1.5". */
export function units(base, decimals) {
  const n = BigInt(Math.trunc(Number(base)));
  const neg = n < 0n; const abs = neg ? -n : n;
  const scale = 10n ** BigInt(decimals);
  const whole = (abs / scale).toLocaleString("en-US");
  const frac = (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? "." + frac : ""}`;
}

/** `1.5 SOL (1,500,000,000 lamports)` for lamports; separators for other base units. */
export function lamportsText(value) {
  if (value === null || value === undefined) return "–";
  return `${units(value, 9)} SOL (${Number(value).toLocaleString("en-US")} lamports)`;
}

export function baseUnitsText(value, decimals, symbol) {
  if (value === null || value === undefined) return "–";
  const base = `${Number(value).toLocaleString("en-US")} base units`;
  return decimals === null || decimals === undefined ? base : `${units(value, decimals)} ${symbol || "tokens"} (${base})`;
}

/** An assertion's expected/actual number in the unit its type measures. */
export function amountText(key, value, assertion) {
  if (typeof value !== "number") return String(value);
  if (/^Sol/.test(assertion.type || "")) return lamportsText(value);
  if (/Token|Balance|Amount/.test(assertion.type || "")) return baseUnitsText(value);
  return value.toLocaleString("en-US");
}

/** The score cell of an episode row: an episode that did not run to its end has no score
 *  to show (never a red 0 %). */
export function scoreCell(e) {
  if (e.outcome === "error" || e.outcome === "infrastructure") {
    return el("span", { class: "muted", title: "did not run to its end" }, "–");
  }
  return el("span", { class: `cell ${scoreClass(e.score)}` }, pct(e.score));
}

export function episodeLink(id, text) {
  return el("a", { href: `/executions/${encodeURIComponent(id)}`, class: "mono" }, text || id.slice(0, 8));
}

function setupTheme() {
  const button = document.getElementById("theme-toggle");
  if (!button) return;
  const current = () => document.documentElement.dataset.theme
    || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  button.addEventListener("click", () => {
    const next = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    localStorage.setItem("reev-theme", next);
    document.dispatchEvent(new CustomEvent("reev-theme", { detail: next }));
  });
  const tokenButton = el("button", {
    type: "button", id: "token-button", title: "API token for changes (when the server has one)",
    onclick: () => {
      const value = prompt("API token (empty to forget it):", "");
      if (value === null) return;
      if (value) localStorage.setItem("reev-token", value); else localStorage.removeItem("reev-token");
    },
  }, "⚿");
  button.after(tokenButton);
}

export function theme() {
  return document.documentElement.dataset.theme
    || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
}

setupTheme();
