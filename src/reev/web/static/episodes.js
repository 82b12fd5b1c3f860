// Stored episodes for triage, newest first, filtered and paginated by the API
// (GET /episodes): outcome (passed / failed / error / infrastructure), error kind, agent,
// benchmark, tag and run; each row says why the episode did not pass (first failure).
import { api, el, clear, pct, scoreClass, showError, episodeLink, outcomeBadge, when, scoreCell } from "./common.js";

const PAGE = 50;
const FIELDS = ["outcome", "error_kind", "agent", "benchmark_id", "tag", "run_id"];
const form = document.getElementById("filters");
const params = new URLSearchParams(location.search);
let offset = Number(params.get("offset") || 0);

function filters() {
  const query = new URLSearchParams();
  for (const name of FIELDS) {
    const value = form.elements[name].value.trim();
    if (value) query.set(name, value);
  }
  return query;
}

function failureCell(f) {
  if (!f) return el("td", { class: "muted" }, "–");
  return el("td", { class: "first-failure" }, el("span", { class: "kind" }, f.kind), " ", el("span", {}, f.reason));
}

async function load() {
  showError(null);
  const query = filters();
  query.set("limit", String(PAGE));
  query.set("offset", String(offset));
  const page = await api(`/episodes?${query}`);
  const body = clear(document.querySelector("#episodes tbody"));
  for (const e of page.items) {
    body.append(el("tr", { dataset: { outcome: e.outcome } },
      el("td", { class: "num" }, when(e.recorded_at)),
      el("td", {}, episodeLink(e.execution_id, e.benchmark_id)),
      el("td", { class: "mono" }, e.agent),
      el("td", { class: "mono" }, el("a", { href: `/runs/${encodeURIComponent(e.run_id)}` }, e.run_id)),
      el("td", { class: "num" }, e.epoch),
      el("td", {}, outcomeBadge(e.outcome)),
      el("td", { class: "num" }, scoreCell(e)),
      failureCell(e.first_failure)));
  }
  const last = Math.min(offset + PAGE, page.total);
  document.getElementById("page-info").textContent =
    page.total ? `${offset + 1}–${last} of ${page.total}` : "no episodes";
  document.getElementById("prev").disabled = offset === 0;
  document.getElementById("next").disabled = last >= page.total;
  query.delete("limit");
  if (!offset) query.delete("offset");
  history.replaceState(null, "", `/episodes?${query}`);
  document.body.dataset.loaded = "true";
  document.body.dataset.total = String(page.total);
}

async function init() {
  const [benchmarks, board, kinds] = await Promise.all([
    api("/benchmarks"), api("/leaderboard"), api("/episodes/error-kinds"),
  ]);
  for (const t of [...new Set(benchmarks.flatMap((b) => b.tags))].sort()) form.elements.tag.append(el("option", { value: t }, t));
  for (const r of board.rows) form.elements.agent.append(el("option", { value: r.agent }, r.agent));
  for (const k of kinds) form.elements.error_kind.append(el("option", { value: k }, k));
  const list = document.getElementById("benchmark-ids");
  for (const b of benchmarks) list.append(el("option", { value: b.id }));
  for (const name of FIELDS) {
    const wanted = params.get(name) || "";
    const field = form.elements[name];
    if (field.tagName === "SELECT" && wanted && ![...field.options].some((o) => o.value === wanted)) {
      field.append(el("option", { value: wanted }, wanted));
    }
    field.value = wanted;
  }
  await load();
}

form.addEventListener("submit", (e) => { e.preventDefault(); offset = 0; load().catch(showError); });
for (const name of ["outcome", "error_kind", "agent", "tag"]) {
  form.elements[name].addEventListener("change", () => { offset = 0; load().catch(showError); });
}
document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load().catch(showError); });
document.getElementById("next").addEventListener("click", () => { offset += PAGE; load().catch(showError); });
init().catch(showError);
