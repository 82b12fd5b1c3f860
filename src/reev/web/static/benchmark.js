// One benchmark (GET /benchmarks/{id}/overview): its prompt, assertions, stored versions
// and every agent's last attempts, each with its outcome and first failure.
import { api, el, clear, pct, scoreClass, showError, episodeLink, outcomeBadge, when, amountText, scoreCell } from "./common.js";

const id = document.body.dataset.benchmarkId;

function expectedText(a) {
  const skip = new Set(["pubkey", "weight", "type", "address"]);
  return Object.entries(a).filter(([k]) => !skip.has(k)).map(([k, v]) => `${k} ${amountText(k, v, a)}`).join(", ");
}

async function load() {
  const b = await api(`/benchmarks/${encodeURIComponent(id)}/overview`);
  document.getElementById("summary").textContent = `${b.description} — tags: ${b.tags.join(", ") || "none"}`;
  document.getElementById("prompt").textContent = b.prompt || (b.parse_error ? `cannot parse this version: ${b.parse_error}` : "");
  document.getElementById("compare-link").href = `/compare?benchmark_id=${encodeURIComponent(id)}`;
  document.getElementById("episodes-link").href = `/episodes?benchmark_id=${encodeURIComponent(id)}`;
  const steps = clear(document.getElementById("flow-steps"));
  for (const s of b.flow_steps) {
    steps.append(el("div", { class: "card" }, el("h3", {}, `Step ${s.step}${s.critical ? " (critical)" : ""}`), el("pre", { class: "text" }, s.prompt)));
  }
  const ab = clear(document.querySelector("#assertions tbody"));
  for (const a of b.assertions) {
    ab.append(el("tr", {}, el("td", {}, a.type), el("td", { class: "mono" }, a.pubkey), el("td", { class: "num" }, expectedText(a)), el("td", { class: "num" }, a.weight)));
  }
  const tb = clear(document.querySelector("#attempts tbody"));
  for (const agent of b.agents) {
    agent.attempts.forEach((e, i) => {
      tb.append(el("tr", { dataset: { agent: agent.agent, outcome: e.outcome } },
        el("td", { class: "mono" }, i === 0 ? `${agent.agent} (${agent.total})` : ""),
        el("td", { class: "num" }, when(e.recorded_at)),
        el("td", { class: "mono" }, el("a", { href: `/runs/${encodeURIComponent(e.run_id)}` }, e.run_id)),
        el("td", {}, outcomeBadge(e.outcome)),
        el("td", { class: "num" }, scoreCell(e)),
        el("td", { class: "first-failure" }, e.first_failure ? `${e.first_failure.kind}: ${e.first_failure.reason}` : "–"),
        el("td", {}, episodeLink(e.execution_id, "open"))));
    });
  }
  if (!b.agents.length) tb.append(el("tr", {}, el("td", { colspan: 7, class: "muted" }, "no episodes yet")));
  const vb = clear(document.querySelector("#versions tbody"));
  for (const v of b.versions) {
    vb.append(el("tr", {}, el("td", { class: "num" }, v.version_id), el("td", {}, when(v.created_at)),
      el("td", { class: "mono" }, v.content_hash.slice(0, 16)), el("td", { class: "mono" }, v.source_path || "upload")));
  }
  document.body.dataset.loaded = "true";
}

load().catch(showError);
