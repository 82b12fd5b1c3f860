// One episode (GET /episodes/{id}): prompt, score breakdown, assertions, transcript,
// decoded transactions with their invoke trees, account changes, and the flow diagram
// (GET /flows/{id}) rendered by the vendored Mermaid as an SVG.
import { api, el, clear, pct, showError, theme, outcomeBadge, amountText } from "./common.js";

const id = document.body.dataset.executionId;
let diagramText = null;

function json(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

/** An episode that did not run to its end (error, infrastructure error) has no score:
 *  never "0.0%" next to the word error, nor component scores of a run that never was. */
function didNotFinish(e) {
  return e.outcome === "error" || e.outcome === "infrastructure";
}

function renderScores(e) {
  const body = clear(document.querySelector("#scores tbody"));
  const s = e.scores || {};
  const row = (label, value) => body.append(el("tr", {}, el("th", {}, label), el("td", { class: "num" }, value)));
  const word = e.outcome === "infrastructure" ? "infrastructure error" : e.outcome;
  if (didNotFinish(e)) {
    row("Score", `no score: the episode did not run to its end — ${word}${e.outcome === "infrastructure" ? " (left out of every statistic)" : " (counted as not passed)"}`);
    if (e.first_failure) row("First failure", `${e.first_failure.kind}: ${e.first_failure.reason}`);
    if (e.result.error) row("Error", e.result.error);
    return;
  }
  row("Score", `${pct(e.score, 1)} (${e.result.scoring} profile) — ${word}`);
  if (e.first_failure) row("First failure", `${e.first_failure.kind}: ${e.first_failure.reason}`);
  row("Instruction score (reev's 75 % part)", pct(s.instruction, 1));
  row("On-chain score (reev's 25 % part)", pct(s.onchain, 1));
  if (s.outcome !== null && s.outcome !== undefined) row("Outcome score (final-state assertions)", pct(s.outcome, 1));
  if (e.result.error) row("Error", e.result.error);
}

function renderAssertions(list) {
  const body = clear(document.querySelector("#assertions tbody"));
  for (const a of list || []) {
    const expected = Object.entries(a.expected || {}).map(([k, v]) => (k === "expected" ? amountText(k, v, a) : `${k} ${amountText(k, v, a)}`)).join(", ");
    body.append(el("tr", { class: a.passed ? "pass" : "fail" },
      el("td", {}, a.type, a.detail ? el("div", { class: "muted" }, a.detail) : null),
      el("td", { class: "mono" }, a.pubkey, a.address ? el("div", { class: "muted acct" }, a.address) : null),
      el("td", { class: "num" }, expected || "–"),
      el("td", { class: "num" }, a.actual === null || a.actual === undefined ? "–" : amountText("actual", a.actual, a)),
      el("td", { class: "verdict" }, a.passed ? "pass" : "fail")));
  }
  if (!body.children.length) body.append(el("tr", {}, el("td", { colspan: 5, class: "muted" }, "no assertions")));
}

function message(m) {
  const role = m.role || "message";
  const parts = [el("div", { class: "role" }, role)];
  if (m.content) parts.push(el("pre", { class: "text" }, json(m.content)));
  for (const call of m.tool_calls || []) {
    const fn = call.function || call;
    parts.push(el("div", {}, "→ calls ", el("code", {}, fn.name || "?"), el("pre", { class: "text" }, json(fn.arguments ?? fn.args ?? {}))));
  }
  return el("div", { class: `msg ${role}` }, parts);
}

function renderTranscript(steps) {
  const box = clear(document.getElementById("transcript"));
  for (const s of steps) {
    const score = s.score === null || s.score === undefined ? "" : ` · step score ${pct(s.score, 1)}`;
    const card = el("div", { class: "card" }, el("h3", {}, `Step ${s.step}${score}${s.skipped ? " · not run" : ""}`));
    if (s.instructions && !(s.tool_calls || []).length) {
      card.append(el("p", { class: "muted raw-instructions" }, `${s.instructions} raw instruction(s) submitted without a tool call: see Transactions below`));
    }
    if (s.prompt) card.append(el("details", {}, el("summary", {}, "Prompt of this step"), el("pre", { class: "text" }, s.prompt)));
    for (const m of s.messages || []) card.append(message(m));
    for (const c of s.tool_calls || []) {
      card.append(el("div", { class: "msg tool tool-call" },
        el("div", { class: "role" }, `tool call · ${c.status}`),
        el("div", {}, el("code", {}, c.tool), ` (${Math.round(c.duration_ms || 0)} ms)`),
        el("div", { class: "muted" }, "arguments"), el("pre", { class: "text" }, json(c.args)),
        c.error ? el("div", { class: "error" }, c.error)
          : [el("div", { class: "muted" }, "result"), el("pre", { class: "text" }, json(c.result))]));
    }
    for (const mc of s.model_calls || []) {
      card.append(el("div", { class: "muted" },
        `model call ${mc.turn}: ${mc.model} · ${mc.status} · ${mc.prompt_tokens ?? "?"}+${mc.completion_tokens ?? "?"} tokens · ${Math.round(mc.latency_ms)} ms`));
    }
    if (s.error) card.append(el("div", { class: "error" }, s.error));
    box.append(card);
  }
  if (!steps.length) box.append(el("p", { class: "muted" }, "no steps recorded"));
}

function accountLine(a) {
  return el("li", { class: "acct" },
    a.role ? el("span", { class: "muted" }, `${a.role}: `) : null,
    a.name ? el("span", { class: "placeholder" }, `${a.name} `) : null,
    el("span", { class: "mono" }, a.pubkey),
    a.is_signer ? el("span", { class: "flag signer", title: "signer" }, "S") : null,
    a.is_writable ? el("span", { class: "flag writable", title: "writable" }, "W") : null);
}

function invokeTree(list, root = true) {
  return el("ul", { class: root ? "invoke root" : "invoke" }, list.map((inv) => {
    const cu = inv.compute_units !== null && inv.compute_units !== undefined
      ? ` · ${inv.compute_units} of ${inv.compute_limit} CU` : "";
    const mark = inv.success === true ? "✅" : inv.success === false ? "❌" : "⚠️";
    return el("li", { class: "invocation" },
      el("div", {}, `${mark} `, el("strong", {}, inv.program), el("span", { class: "muted" }, ` [depth ${inv.depth}]${cu}`)),
      inv.error ? el("div", { class: "error" }, inv.error) : null,
      inv.logs.length ? el("ul", { class: "invoke" }, inv.logs.map((l) => el("li", { class: "mono" }, `📝 ${l}`))) : null,
      inv.children.length ? invokeTree(inv.children, false) : null);
  }));
}

function renderTransactions(txs) {
  const box = clear(document.getElementById("transactions"));
  txs.forEach((tx, n) => {
    const card = el("div", { class: "card transaction" },
      el("h3", {}, `Step ${tx.step} · transaction ${n + 1}: ${tx.status === "success" ? "✅" : "❌"} ${tx.status}`),
      el("p", { class: "muted" }, tx.signature ? el("span", { class: "mono" }, tx.signature) : "no signature",
        ` · ${tx.compute_units} CU · fee ${tx.fee} lamports`),
      tx.error ? el("p", { class: "error" }, tx.error) : null);
    (tx.decoded || []).forEach((ix, i) => {
      const args = Object.entries(ix.args_text || ix.args || {});
      card.append(el("div", { class: "instruction" },
        el("div", {}, `#${i + 1} `, el("strong", { class: "program" }, ix.program || ix.program_id || "?"),
          " · ", el("span", { class: "ix-name" }, ix.instruction || "unknown instruction (data not decoded)")),
        args.length ? el("ul", {}, args.map(([k, v]) => el("li", {}, el("code", {}, k), ` = ${json(v)}`))) : null,
        el("ul", {}, (ix.accounts || []).map(accountLine)),
        ix.instruction ? null : el("div", { class: "muted mono" }, `data: ${ix.data ?? ""}`)));
    });
    if ((tx.invocations || []).length) {
      card.append(el("details", { open: true }, el("summary", {}, "Program logs (invoke tree)"), invokeTree(tx.invocations)));
    } else if (!(tx.logs || []).length) {
      card.append(el("p", { class: "muted" }, "no logs: the transaction did not run"));
    }
    box.append(card);
  });
  if (!txs.length) box.append(el("p", { class: "muted" }, "no transactions"));
}

function renderAccounts(rows) {
  const body = clear(document.querySelector("#accounts tbody"));
  const pair = ([a, b]) => `${a ?? "–"} → ${b ?? "–"}`;
  const tokenPair = (r) => (r.token_text || r.token_amount).some((v) => v !== null && v !== undefined)
    ? [pair(r.token_text || r.token_amount), r.mint_name ? el("div", { class: "muted" }, r.mint_name) : null] : "–";
  for (const r of rows || []) {
    body.append(el("tr", { class: r.changed ? "changed" : "" },
      el("td", {}, r.name ? el("div", {}, r.name) : null, el("div", { class: "mono muted acct" }, r.pubkey)),
      el("td", { class: "num amount" }, pair(r.lamports_text || r.lamports)),
      el("td", { class: "num amount" }, tokenPair(r))));
  }
}

async function renderDiagram() {
  const box = clear(document.getElementById("diagram"));
  if (!diagramText) { box.append(el("p", { class: "muted" }, "no diagram")); return; }
  if (!window.mermaid) { box.append(el("p", { class: "error" }, "Mermaid did not load")); return; }
  window.mermaid.initialize({
    startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true,
    theme: theme() === "dark" ? "dark" : "default",
  });
  const renderId = `flow-${Date.now()}`;
  let svg;
  try {
    await window.mermaid.parse(diagramText);
    ({ svg } = await window.mermaid.render(renderId, diagramText));
  } catch (error) {
    // Never Mermaid's error graphic: say what failed and show the source instead.
    document.getElementById(`d${renderId}`)?.remove();
    document.getElementById(renderId)?.remove();
    box.append(el("p", { class: "error diagram-error" }, `The flow diagram could not be drawn: ${error.message || error}`),
      el("pre", { class: "text diagram-fallback" }, diagramText));
    document.body.dataset.diagram = "source";
    return;
  }
  // Mermaid's output is sanitised SVG (securityLevel strict); parse it as SVG, not HTML.
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  box.append(document.importNode(doc.documentElement, true));
  document.body.dataset.diagram = "rendered";
}

async function load() {
  const [e, flow] = await Promise.all([
    api(`/episodes/${encodeURIComponent(id)}`),
    api(`/flows/${encodeURIComponent(id)}`).catch(() => null),
  ]);
  document.getElementById("page-title").textContent = `${e.benchmark_id} · ${e.label}`;
  const calls = e.transcript.flatMap((s) => s.model_calls || []);
  const tokensIn = calls.reduce((n, c) => n + (c.prompt_tokens || 0), 0);
  const tokensOut = calls.reduce((n, c) => n + (c.completion_tokens || 0), 0);
  const costs = calls.map((c) => c.cost_usd).filter((c) => c !== null && c !== undefined);
  const usage = calls.length
    ? ` · ${tokensIn.toLocaleString("en-US")} tokens in / ${tokensOut.toLocaleString("en-US")} out${costs.length ? ` · $${costs.reduce((a, b) => a + b, 0).toFixed(4)}` : ""}`
    : "";
  document.getElementById("summary").replaceChildren(
    outcomeBadge(e.outcome),
    ` ${didNotFinish(e) ? "no score" : pct(e.score, 1)} · epoch ${e.result.epoch} · seed ${e.result.seed} · ${Math.round(e.result.duration_ms).toLocaleString("en-US")} ms${usage}`);
  document.getElementById("prompt").textContent = e.prompt || e.result.prompt || "";
  renderScores(e);
  renderAssertions(e.assertions);
  renderTranscript(e.transcript);
  renderTransactions(e.transactions);
  renderAccounts(e.account_changes);
  diagramText = flow ? flow.diagram : null;
  document.getElementById("diagram-source").textContent = diagramText || "";
  document.body.dataset.loaded = "true";
  await renderDiagram();
}

document.addEventListener("reev-theme", () => renderDiagram().catch(showError));
load().catch(showError);
