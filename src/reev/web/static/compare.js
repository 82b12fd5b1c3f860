// Agents side by side on one benchmark (GET /compare?benchmark_id=): verdicts, tool calls,
// transactions and transcript of each agent's newest episode; below, the agent × benchmark
// matrix (GET /leaderboard grid) whose cells link back here.
import { api, el, clear, pct, scoreClass, showError, episodeLink, outcomeBadge, amountText } from "./common.js";

const params = new URLSearchParams(location.search);
const select = document.getElementById("f-benchmark");

function row(label, cells, cls = "") {
  return el("tr", { class: cls }, el("th", { scope: "row" }, label), cells.map((c) => el("td", {}, c)));
}

function assertionRows(cols) {
  const keys = [];
  for (const c of cols) c.assertions.forEach((a, i) => { if (!keys[i]) keys[i] = `${a.type} ${a.pubkey}`; });
  return keys.map((key, i) => row(key, cols.map((c) => {
    const a = c.assertions[i];
    if (!a) return "–";
    return el("span", { class: a.passed ? "pass" : "fail" }, a.passed ? "✔ holds" : "✘ fails",
      a.actual !== null && a.actual !== undefined ? el("div", { class: "muted" }, `actual ${a.actual_text || amountText("actual", a.actual, a)}`) : null);
  }), "assertion"));
}

function list(items, render) {
  if (!items.length) return el("span", { class: "muted" }, "none");
  return el("ol", { class: "compact" }, items.map((x) => el("li", {}, render(x))));
}

function toolCall(t) {
  const args = Object.entries(t.args || {}).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
  return [el("code", {}, t.tool), el("span", { class: t.status === "ok" ? "pass" : "fail" }, ` ${t.status}`),
    el("div", { class: "muted" }, args), t.error ? el("div", { class: "error" }, t.error) : null];
}

function transaction(tx) {
  return [el("span", { class: tx.status === "success" ? "pass" : "fail" }, tx.status),
    ` · ${(tx.compute_units ?? 0).toLocaleString("en-US")} CU`,
    el("div", { class: "muted" }, tx.instructions.join("; ")), tx.error ? el("div", { class: "error" }, tx.error) : null];
}

function message(m) {
  const calls = m.tool_calls.length ? ` → ${m.tool_calls.join(", ")}` : "";
  return [el("strong", {}, m.role), calls, m.content ? el("div", { class: "text-snippet" }, m.content.slice(0, 400)) : null];
}

async function renderCompare(benchmarkId) {
  const head = clear(document.querySelector("#compare thead"));
  const body = clear(document.querySelector("#compare tbody"));
  if (!benchmarkId) return;
  const data = await api(`/compare?benchmark_id=${encodeURIComponent(benchmarkId)}`);
  const cols = data.agents;
  head.append(el("tr", {}, el("th", {}, el("a", { href: `/benchmarks/${encodeURIComponent(benchmarkId)}` }, benchmarkId)),
    cols.map((c) => el("th", { class: "mono", dataset: { agent: c.agent } }, c.agent))));
  body.append(
    row("Outcome", cols.map((c) => [outcomeBadge(c.episode.outcome), " ", episodeLink(c.episode.execution_id, "open")])),
    // an episode that did not run to its end has no score to compare: never a red 0 %
    row("Score", cols.map((c) => (c.episode.outcome === "error" || c.episode.outcome === "infrastructure"
      ? el("span", { class: "muted" }, "– (did not run to its end)")
      : el("span", { class: `cell ${scoreClass(c.episode.score)}` }, pct(c.episode.score))))),
    row("Passed / attempts", cols.map((c) => `${c.passed} / ${c.attempts}`)),
    row("First failure", cols.map((c) => c.episode.first_failure ? `${c.episode.first_failure.kind}: ${c.episode.first_failure.reason}` : "–")),
    ...assertionRows(cols),
    row("Tool calls", cols.map((c) => list(c.tool_calls, toolCall))),
    row("Transactions", cols.map((c) => list(c.transactions, transaction))),
    row("Transcript", cols.map((c) => list(c.transcript, message))),
  );
  document.body.dataset.compared = String(cols.length);
}

async function renderMatrix() {
  const board = await api("/leaderboard");
  const agents = [...new Set(board.grid.map((c) => c.agent))].sort();
  const ids = [...new Set(board.grid.map((c) => c.benchmark_id))].sort();
  const byKey = new Map(board.grid.map((c) => [`${c.agent}\u0000${c.benchmark_id}`, c]));
  clear(document.querySelector("#matrix thead")).append(el("tr", {}, el("th", {}, ""),
    ids.map((id) => el("th", { scope: "col" }, el("a", { href: `/compare?benchmark_id=${encodeURIComponent(id)}` }, id)))));
  const body = clear(document.querySelector("#matrix tbody"));
  for (const agent of agents) {
    body.append(el("tr", {}, el("th", { scope: "row", class: "mono" }, agent), ids.map((id) => {
      const c = byKey.get(`${agent}\u0000${id}`);
      if (!c) return el("td", {}, el("span", { class: "cell s-none" }, "–"));
      const cls = c.outcome === "error" ? "s-error" : c.outcome === "infrastructure" ? "s-infra" : scoreClass(c.score);
      const text = c.outcome === "error" ? "error" : c.outcome === "infrastructure" ? "infra" : pct(c.score);
      return el("td", {}, el("a", { class: `cell ${cls}`, href: `/compare?benchmark_id=${encodeURIComponent(id)}`, title: `${agent} · ${id}: ${c.outcome}` }, text));
    })));
  }
  return ids;
}

async function init() {
  const ids = await renderMatrix();
  for (const id of ids) select.append(el("option", { value: id }, id));
  const wanted = params.get("benchmark_id") || ids[0] || "";
  if (wanted && !ids.includes(wanted)) select.append(el("option", { value: wanted }, wanted));
  select.value = wanted;
  await renderCompare(wanted);
  document.body.dataset.loaded = "true";
}

document.getElementById("filters").addEventListener("submit", (e) => {
  e.preventDefault();
  history.replaceState(null, "", `/compare?benchmark_id=${encodeURIComponent(select.value)}`);
  renderCompare(select.value).catch(showError);
});
init().catch(showError);
