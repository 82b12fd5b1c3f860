// Leaderboard: per-agent statistics and the agent × benchmark grid, from GET /leaderboard
// (statistics and the latest episode per cell) and GET /benchmarks (columns and tags).
import { api, el, clear, interval, pct, scoreClass, showError, when, episodeLink } from "./common.js";

const params = new URLSearchParams(location.search);
const tagSelect = document.getElementById("f-tag");
const runSelect = document.getElementById("f-run");

function kValues(map) {
  const keys = Object.keys(map || {}).sort((a, b) => Number(a) - Number(b));
  if (!keys.length) return "–";
  return keys.map((k) => `k=${k}: ${pct(map[k])}`).join(", ");
}

function renderStats(rows) {
  const body = clear(document.querySelector("#stats tbody"));
  document.getElementById("stats-empty").hidden = rows.length > 0;
  for (const r of rows) {
    const vs = r.vs_next ? `${r.vs_next.verdict}` : "–";
    body.append(el("tr", { dataset: { agent: r.agent } },
      el("td", { class: "num" }, r.rank),
      el("td", { class: "mono" }, r.agent),
      el("td", { class: "num" }, `${r.episodes} (${r.tasks} tasks × ${r.epochs})`),
      el("td", { class: "num" }, interval(r.mean_score)),
      el("td", { class: "num pass-rate" }, interval(r.pass_rate)),
      el("td", { class: "pass-hat-k" }, kValues(r.pass_hat_k)),
      el("td", {}, kValues(r.pass_at_k)),
      el("td", { class: "num" }, r.errors + (r.infrastructure_errors ? ` (+${r.infrastructure_errors} infra)` : "")),
      el("td", {}, vs)));
  }
}

function renderGrid(benchmarks, cells) {
  const agents = [...new Set(cells.map((c) => c.agent))].sort();
  const byKey = new Map(cells.map((c) => [`${c.agent}\u0000${c.benchmark_id}`, c]));
  const ids = benchmarks.map((b) => b.id);
  for (const c of cells) if (!ids.includes(c.benchmark_id)) ids.push(c.benchmark_id);
  const head = clear(document.querySelector("#grid thead"));
  head.append(el("tr", {}, el("th", {}, ""), ids.map((id) => el("th", { scope: "col", title: id }, id))));
  const body = clear(document.querySelector("#grid tbody"));
  for (const agent of agents) {
    body.append(el("tr", { dataset: { agent } }, el("th", { scope: "row", class: "mono" }, agent),
      ids.map((id) => {
        const cell = byKey.get(`${agent}\u0000${id}`);
        if (!cell) return el("td", {}, el("span", { class: "cell s-none", title: `${agent} · ${id}: not run` }, "–"));
        return el("td", {}, el("button", {
          type: "button", class: `cell ${scoreClass(cell.score)}`,
          dataset: { benchmark: id, agent, score: cell.score },
          title: `${agent} · ${id}: ${pct(cell.score)} (${cell.status}), ${cell.count} episode(s); click for history`,
          onclick: () => showHistory(agent, id),
        }, pct(cell.score)));
      })));
  }
}

async function showHistory(agent, benchmarkId) {
  const section = document.getElementById("history");
  section.hidden = false;
  document.getElementById("history-title").textContent = `History: ${agent} · ${benchmarkId}`;
  const query = new URLSearchParams({ agent, benchmark_id: benchmarkId, limit: "50" });
  if (runSelect.value) query.set("run_id", runSelect.value);
  const page = await api(`/episodes?${query}`);
  const items = page.items.sort((a, b) => (a.recorded_at < b.recorded_at ? 1 : -1));
  const body = clear(section.querySelector("tbody"));
  for (const e of items) {
    body.append(el("tr", {},
      el("td", {}, when(e.recorded_at)), el("td", { class: "mono" }, e.run_id),
      el("td", { class: "num" }, e.epoch), el("td", {}, e.status),
      el("td", { class: "num" }, el("span", { class: `cell ${scoreClass(e.score)}` }, pct(e.score))),
      el("td", {}, episodeLink(e.execution_id, "open"))));
  }
  document.getElementById("history-more").textContent =
    page.total > items.length ? `${items.length} of ${page.total} shown` : "";
  section.scrollIntoView({ behavior: "smooth" });
}

async function load() {
  showError(null);
  const query = new URLSearchParams();
  if (tagSelect.value) query.set("tag", tagSelect.value);
  if (runSelect.value) query.set("run_id", runSelect.value);
  history.replaceState(null, "", query.toString() ? `/?${query}` : "/");
  const [board, benchmarks] = await Promise.all([api(`/leaderboard?${query}`), api("/benchmarks")]);
  const shown = tagSelect.value ? benchmarks.filter((b) => b.tags.includes(tagSelect.value)) : benchmarks;
  renderStats(board.rows);
  renderGrid(shown, board.grid || []);
  document.body.dataset.loaded = "true";
}

async function init() {
  const [benchmarks, runs] = await Promise.all([api("/benchmarks"), api("/runs?limit=200")]);
  const tags = [...new Set(benchmarks.flatMap((b) => b.tags))].sort();
  for (const t of tags) tagSelect.append(el("option", { value: t }, t));
  for (const r of runs) runSelect.append(el("option", { value: r.id }, `${r.id} (${when(r.created_at)})`));
  const wantedRun = params.get("run_id");
  if (wantedRun && !runs.some((r) => r.id === wantedRun)) runSelect.append(el("option", { value: wantedRun }, wantedRun));
  tagSelect.value = params.get("tag") || "";
  runSelect.value = wantedRun || "";
  tagSelect.addEventListener("change", () => load().catch(showError));
  runSelect.addEventListener("change", () => load().catch(showError));
  await load();
}

init().catch(showError);
