// Leaderboard: per-agent statistics and the agent × benchmark grid, from GET /leaderboard
// (statistics and the latest episode per cell) and GET /benchmarks (columns and tags).
import { api, el, clear, pct, scoreClass, showError, when, episodeLink, outcomeBadge, scoreCell } from "./common.js";

const params = new URLSearchParams(location.search);
const tagSelect = document.getElementById("f-tag");
const runSelect = document.getElementById("f-run");

/** pass@k at k = 1, 2 and K only (bounded), over the tasks named in the row. */
function kValues(map, epochs) {
  const ks = [...new Set([1, 2, epochs])].filter((k) => k >= 1 && k <= epochs);
  if (!ks.length || !map || map["1"] === undefined) return "–";
  return ks.map((k) => `k=${k}: ${pct(map[String(k)])}`).join(", ");
}

function kCoverage(r) {
  if (!r.tasks) return "no counted episode: infrastructure errors only";
  const covered = `${r.pass_k_tasks.length} task(s) with ≥ ${r.epochs} epochs`;
  if (!r.pass_k_short_tasks.length) return covered;
  return `${covered}; left out (fewer epochs): ${r.pass_k_short_tasks.join(", ")}`;
}

/** `17.3%` with its interval beneath or beside it, never broken inside the brackets. */
function ci(iv) {
  if (!iv || iv.value === null || iv.value === undefined) return "–";
  const range = iv.low === null || iv.low === undefined ? null : el("span", { class: "ci" }, `[${pct(iv.low)}–${pct(iv.high)}]`);
  return [pct(iv.value, 1), range ? " " : null, range];
}

function tokens(r) {
  const n = (x) => Number(x || 0).toLocaleString("en-US");
  return `${n(r.prompt_tokens)} in / ${n(r.completion_tokens)} out`;
}

function renderStats(board) {
  const rows = board.rows;
  const body = clear(document.querySelector("#stats tbody"));
  document.getElementById("stats-empty").hidden = rows.length > 0;
  const shared = board.shared_tasks || [];
  document.getElementById("shared-note").textContent = rows.length > 1
    ? (shared.length
      ? `Ranked by mean score on the ${shared.length} task(s) every agent ran; "all tasks" columns cover each agent's own tasks and do not rank.`
      : "The agents share no task: they are not ranked against each other.")
    : "";
  for (const r of rows) {
    const vs = r.vs_next ? `${r.vs_next.verdict} (vs ${r.vs_next.agent}, ${r.vs_next.tasks} tasks)` : "–";
    body.append(el("tr", { dataset: { agent: r.agent } },
      el("td", { class: "num rank" }, r.rank ?? "–"),
      el("td", { class: "mono" }, r.agent),
      el("td", { class: "num coverage", title: `${r.shared_tasks} shared of ${r.tasks} run` }, `${r.shared_tasks}/${r.tasks}`),
      el("td", { class: "num shared-score" }, ci(r.shared_score)),
      el("td", { class: "num" }, ci(r.mean_score)),
      el("td", { class: "num pass-rate" }, ci(r.pass_rate)),
      el("td", { class: "pass-hat-k", title: kCoverage(r) }, kValues(r.pass_hat_k, r.epochs),
        el("div", { class: "muted k-tasks" }, kCoverage(r))),
      el("td", { class: "pass-at-k" }, kValues(r.pass_at_k, r.epochs)),
      el("td", { class: "num outcomes" },
        el("div", { class: "pass" }, `${r.passed} passed`),
        el("div", { class: "fail" }, `${r.failed} failed`),
        el("div", { class: "errors" }, `${r.errors} error(s)`),
        r.infrastructure_errors ? el("div", { class: "infra" }, `${r.infrastructure_errors} infra (not counted)`) : null),
      el("td", { class: "num" }, tokens(r), r.cost_usd !== null ? el("div", {}, `$${r.cost_usd.toFixed(4)}`) : null),
      el("td", { class: "num" }, r.mean_duration_ms === null ? "–" : `${Math.round(r.mean_duration_ms).toLocaleString("en-US")} ms`),
      el("td", {}, vs)));
  }
}

function cellView(cell) {
  if (cell.outcome === "error") return { cls: "s-error", text: "error" };
  if (cell.outcome === "infrastructure") return { cls: "s-infra", text: "infra" };
  return { cls: scoreClass(cell.score), text: pct(cell.score) };
}

function renderGrid(benchmarks, cells) {
  const agents = [...new Set(cells.map((c) => c.agent))].sort();
  const byKey = new Map(cells.map((c) => [`${c.agent}\u0000${c.benchmark_id}`, c]));
  const ids = benchmarks.map((b) => b.id);
  for (const c of cells) if (!ids.includes(c.benchmark_id)) ids.push(c.benchmark_id);
  const head = clear(document.querySelector("#grid thead"));
  head.append(el("tr", {}, el("th", {}, ""), ids.map((id) => el("th", { scope: "col", title: `${id}: compare the agents` },
    el("a", { href: `/compare?benchmark_id=${encodeURIComponent(id)}` }, id)))));
  const body = clear(document.querySelector("#grid tbody"));
  for (const agent of agents) {
    body.append(el("tr", { dataset: { agent } }, el("th", { scope: "row", class: "mono" }, agent),
      ids.map((id) => {
        const cell = byKey.get(`${agent}\u0000${id}`);
        if (!cell) return el("td", {}, el("span", { class: "cell s-none", title: `${agent} · ${id}: not run` }, "–"));
        const view = cellView(cell);
        return el("td", {}, el("button", {
          type: "button", class: `cell ${view.cls}`,
          dataset: { benchmark: id, agent, score: cell.score, outcome: cell.outcome },
          title: `${agent} · ${id}: ${pct(cell.score)} (${cell.outcome}), ${cell.count} episode(s); click for history`,
          onclick: () => showHistory(agent, id),
        }, view.text));
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
  const items = page.items;  // newest first from the API
  const body = clear(section.querySelector("tbody"));
  for (const e of items) {
    body.append(el("tr", {},
      el("td", {}, when(e.recorded_at)), el("td", { class: "mono" }, e.run_id),
      el("td", { class: "num" }, e.epoch), el("td", {}, outcomeBadge(e.outcome)),
      el("td", { class: "num" }, scoreCell(e)),
      el("td", {}, episodeLink(e.execution_id, "open"),
        " · ", el("a", { href: `/compare?benchmark_id=${encodeURIComponent(benchmarkId)}` }, "compare"))));
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
  renderStats(board);
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
