// Agents side by side on one benchmark (GET /compare?benchmark_id=): verdicts, tool calls
// and transactions of each agent's newest episode, then their transcripts in aligned
// columns (GET /episodes/{id}: one row per step and turn); below, the agent × benchmark
// matrix (GET /leaderboard grid) whose cells link back here.
import { api, el, clear, pct, scoreClass, showError, episodeLink, outcomeBadge, amountText } from "./common.js";

const params = new URLSearchParams(location.search);
const select = document.getElementById("f-benchmark");

function row(label, cells, cls = "") {
  return el("tr", { class: cls }, el("th", { scope: "row" }, label), cells.map((c) => el("td", {}, c)));
}

/** One row per assertion, matched by type and account (not by position: agents that
 *  failed early may record other assertions, e.g. a side effect, in other places). */
function assertionRows(cols) {
  const keyed = cols.map((c) => {
    const seen = new Map();
    return new Map(c.assertions.map((a) => {
      const base = `${a.type} ${a.pubkey}`;
      const n = (seen.get(base) || 0) + 1;
      seen.set(base, n);
      return [n > 1 ? `${base} (${n})` : base, a];
    }));
  });
  const keys = [...new Set(keyed.flatMap((m) => [...m.keys()]))];
  return keys.map((key) => row(key, keyed.map((m) => {
    const a = m.get(key);
    if (!a) return el("span", { class: "muted" }, "– (not recorded)");
    return el("span", { class: a.passed ? "pass" : "fail" }, a.passed ? "✔ holds" : "✘ fails",
      a.actual !== null && a.actual !== undefined ? el("div", { class: "muted" }, `actual ${a.actual_text || amountText("actual", a.actual, a)}`) : null,
      !a.passed && a.detail ? el("div", { class: "muted small" }, a.detail) : null);
  }), "assertion"));
}

/** An error line; a long one (e.g. "unknown tool …; known tools: <60 names>") folds. */
function errorText(text) {
  const message = typeof text === "string" ? text : JSON.stringify(text);
  if (message.length <= 240) return el("div", { class: "error" }, message);
  return el("details", { class: "fold error-fold" }, el("summary", { class: "error" }, `${message.slice(0, 160)} …`),
    el("div", { class: "error" }, message));
}

function list(items, render) {
  if (!items.length) return el("span", { class: "muted" }, "none");
  return el("ol", { class: "compact" }, items.map((x) => el("li", {}, render(x))));
}

function toolCall(t) {
  const args = Object.entries(t.args || {}).map(([k, v]) => el("div", { class: "muted arg" }, `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`));
  return [el("code", {}, t.tool), el("span", { class: t.status === "ok" ? "pass" : "fail" }, ` ${t.status}`),
    ...args, t.error ? errorText(t.error) : null];
}

function transaction(tx) {
  return [el("span", { class: tx.status === "success" ? "pass" : "fail" }, tx.status),
    ` · ${(tx.compute_units ?? 0).toLocaleString("en-US")} CU`,
    el("div", { class: "muted" }, tx.instructions.join("; ")), tx.error ? errorText(tx.error) : null];
}

// --- transcripts side by side -------------------------------------------------------
// Each agent's episode (GET /episodes/{id}) is cut into turns per step, and turn n of every
// agent shares a row: the prompt (system and user messages), then each model turn (its
// text, the tools it called with their arguments, each call's result or error) or, for an
// agent without a model (the reference, the controls), each tool call the harness ran.

function parsed(value) {
  if (typeof value !== "string") return value;
  try { return JSON.parse(value); } catch { return value; }
}

function pretty(value) {
  const v = parsed(value);
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

/** A long text folds into <details> (its start, on one line, as the summary); a short one
 *  stays open. */
function folded(text, cls = "text") {
  const lines = text.split("\n");
  if (text.length <= 600 && lines.length <= 12) return el("pre", { class: cls }, text);
  const v = parsed(text);
  const start = (typeof v === "string" ? v : JSON.stringify(v)).replace(/\s+/g, " ").slice(0, 100);
  return el("details", { class: "fold" }, el("summary", {}, `${start} … (${text.length.toLocaleString("en-US")} characters)`),
    el("pre", { class: cls }, text));
}

function resultOf(content) {
  // a tool message's content: {"status": "ok"|"error", "result"|"error": …} as JSON
  try {
    const parsed = JSON.parse(content);
    if (parsed && typeof parsed === "object" && "status" in parsed) return parsed;
  } catch { /* plain text */ }
  return { status: null, result: content };
}

function callBlock(name, args, outcome) {
  const ok = outcome.status === "ok";
  return el("div", { class: "tx-call" },
    el("div", {}, "→ ", el("code", { class: "tool-name" }, name || "?"),
      outcome.status ? el("span", { class: ok ? "pass" : "fail" }, ` ${outcome.status}`) : null),
    el("div", { class: "muted small" }, "arguments"), folded(pretty(args ?? {})),
    outcome.error
      ? errorText(outcome.error)
      : outcome.result !== undefined ? [el("div", { class: "muted small" }, "result"), folded(pretty(outcome.result))] : null);
}

/** The turns of one step of one agent: {prompt: [messages], turns: [[nodes]], end: [nodes]}. */
function stepTurns(step, raw) {
  const messages = step.messages || [];
  const prompt = [];
  const turns = [];
  const calls = step.tool_calls || [];
  let callIndex = 0;
  if (messages.length) {
    const results = new Map(messages.filter((m) => m.role === "tool").map((m) => [m.tool_call_id, m]));
    for (const m of messages) {
      if (m.role === "assistant") {
        const nodes = [];
        if (m.content) nodes.push(el("div", { class: "role" }, "assistant"), folded(String(m.content), "text say"));
        for (const tc of m.tool_calls || []) {
          const fn = tc.function || tc;
          const reply = results.get(tc.id);
          const record = calls[callIndex++];
          const outcome = reply ? resultOf(reply.content) : record ? { status: record.status, result: record.result, error: record.error } : { status: null };
          nodes.push(callBlock(fn.name, fn.arguments ?? fn.args, outcome));
        }
        if (!nodes.length) nodes.push(el("span", { class: "muted" }, "(an empty reply)"));
        turns.push(nodes);
      } else if (m.role !== "tool") {
        if (turns.length) turns.push([el("div", { class: "role" }, m.role), folded(String(m.content ?? ""))]);
        else prompt.push(m);
      }
    }
  } else {
    for (const c of calls) turns.push([callBlock(c.tool, c.args, { status: c.status, result: c.error ? undefined : c.result, error: c.error })]);
    if (!calls.length && step.instructions) {
      turns.push([el("span", { class: "muted" }, `${step.instructions} raw instruction(s) submitted without a tool call (see Transactions)`)]);
    }
  }
  const end = [];
  if (raw && raw.answer !== null && raw.answer !== undefined && raw.answer !== "") end.push(el("div", {}, "answer: ", el("code", {}, String(raw.answer))));
  if (raw && raw.stop_reason) end.push(el("div", { class: "muted small" }, `stopped: ${raw.stop_reason}`));
  if (step.error) end.push(errorText(step.error));
  else if (step.skipped) end.push(el("div", { class: "muted" }, "not run"));
  if (!turns.length && !end.length) end.push(el("span", { class: "muted" }, "no action"));
  return { prompt, turns, end };
}

function promptCell(prompt) {
  if (!prompt.length) return el("span", { class: "muted" }, "– (no model: no messages)");
  return prompt.map((m) => el("details", { class: "fold" },
    el("summary", {}, `${m.role} · ${String(m.content ?? "").length.toLocaleString("en-US")} characters`),
    el("pre", { class: "text" }, String(m.content ?? ""))));
}

function renderTranscripts(cols, episodes) {
  const table = document.getElementById("transcripts");
  table.style.setProperty("--agents", String(cols.length));
  const head = clear(table.querySelector("thead"));
  const body = clear(table.querySelector("tbody"));
  head.append(el("tr", {}, el("th", { scope: "col" }, "turn"),
    cols.map((c) => el("th", { scope: "col", class: "mono", dataset: { agent: c.agent } }, c.agent, " ", outcomeBadge(c.episode.outcome)))));
  const perAgent = episodes.map((e) => {
    const raw = new Map(((e.result || {}).steps || []).map((s) => [s.step, s]));
    return new Map(e.transcript.map((s) => [s.step, { step: s, parts: stepTurns(s, raw.get(s.step)) }]));
  });
  const steps = [...new Set(perAgent.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  // an episode that stopped before (or outside) its steps: its error leads the table
  const episodeErrors = episodes.map((e) => {
    const error = (e.result || {}).error;
    return error && !e.transcript.some((s) => s.error) ? error : null;
  });
  if (episodeErrors.some(Boolean)) {
    body.append(el("tr", { class: "turn-row episode-error", dataset: { step: "0", turn: "episode" } }, el("th", { scope: "row" }, "episode"),
      episodeErrors.map((error, i) => el("td", { class: "turn" }, error
        ? [outcomeBadge(cols[i].episode.outcome), " did not run to its end", errorText(error)]
        : el("span", { class: "muted" }, "–")))));
  }
  const cellFor = (i, stepNo, pick) => {
    const found = perAgent[i].get(stepNo);
    return el("td", { class: "turn" }, found ? pick(found) : el("span", { class: "muted" }, "–"));
  };
  for (const stepNo of steps) {
    const scores = cols.map((c, i) => {
      const found = perAgent[i].get(stepNo);
      const score = found && found.step.score;
      return el("td", { class: "step-head" }, score === null || score === undefined ? "" : `step score ${pct(score, 1)}`);
    });
    body.append(el("tr", { class: "step-row", dataset: { step: String(stepNo) } }, el("th", { scope: "row" }, `Step ${stepNo}`), scores));
    if (perAgent.some((m) => (m.get(stepNo)?.parts.prompt || []).length)) {
      body.append(el("tr", { class: "turn-row", dataset: { step: String(stepNo), turn: "prompt" } }, el("th", { scope: "row" }, "prompt"),
        cols.map((c, i) => cellFor(i, stepNo, (f) => promptCell(f.parts.prompt)))));
    }
    const most = Math.max(0, ...perAgent.map((m) => (m.get(stepNo)?.parts.turns || []).length));
    for (let n = 0; n < most; n++) {
      body.append(el("tr", { class: "turn-row", dataset: { step: String(stepNo), turn: String(n + 1) } }, el("th", { scope: "row" }, `turn ${n + 1}`),
        cols.map((c, i) => cellFor(i, stepNo, (f) => f.parts.turns[n] || el("span", { class: "muted" }, "–")))));
    }
    if (perAgent.some((m) => (m.get(stepNo)?.parts.end || []).length)) {
      body.append(el("tr", { class: "turn-row end", dataset: { step: String(stepNo), turn: "end" } }, el("th", { scope: "row" }, "end of step"),
        cols.map((c, i) => cellFor(i, stepNo, (f) => (f.parts.end.length ? f.parts.end : el("span", { class: "muted" }, "–"))))));
    }
  }
  if (!steps.length) body.append(el("tr", {}, el("td", { colspan: cols.length + 1, class: "muted" }, "no steps recorded")));
}

async function renderCompare(benchmarkId) {
  const head = clear(document.querySelector("#compare thead"));
  const body = clear(document.querySelector("#compare tbody"));
  if (!benchmarkId) return;
  const data = await api(`/compare?benchmark_id=${encodeURIComponent(benchmarkId)}`);
  const cols = data.agents;
  document.getElementById("compare").style.setProperty("--agents", String(cols.length));
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
  );
  const episodes = await Promise.all(cols.map((c) => api(`/episodes/${encodeURIComponent(c.episode.execution_id)}`)));
  renderTranscripts(cols, episodes);
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
