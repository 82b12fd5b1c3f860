// One run, live: GET /runs/{id} once, then server-sent events (GET /events?run_id=) update
// each job row and the progress bar without reloading. The stream is opened before the
// first fetch so no change between the two is missed; EventSource resumes by itself with
// Last-Event-ID after a dropped connection.
import { OUTCOME_TEXT, api, el, clear, pct, scoreClass, showError, episodeLink, outcomeBadge, outcomeOf, scoreCell } from "./common.js";

const runId = document.body.dataset.runId;
const TERMINAL = new Set(["Completed", "Failed", "Cancelled", "Interrupted"]);
/** Queued 0, Running 1, any terminal status 2: the order a job's statuses come in. */
const stage = (status) => (status === "Queued" ? 0 : status === "Running" ? 1 : 2);
const JOBS_SHOWN = 500;
const rows = new Map();
const jobs = new Map();
let refreshTimer = null;
let refreshJobs = false;
let stream = null;

function jobCells(job) {
  const done = TERMINAL.has(job.status);
  const score = job.score === null || job.score === undefined ? null : job.score;
  return [
    el("td", { class: "mono" }, job.benchmark_id),
    el("td", { class: "mono" }, job.model ? `${job.agent}:${job.model}` : job.agent),
    el("td", { class: "num" }, job.epoch),
    el("td", {}, el("span", { class: `badge ${job.status}` }, job.status),
      done && job.status === "Completed" ? [" ", outcomeBadge(outcomeOf(job))] : null,
      job.error ? el("div", { class: "error" }, job.error) : null),
    el("td", { class: "num" }, score === null ? "–" : el("span", { class: `cell ${scoreClass(score)}` }, pct(score))),
    el("td", {}, done && job.status !== "Cancelled" && job.status !== "Interrupted" ? episodeLink(job.id, "open") : "–"),
  ];
}

function upsertRow(job) {
  jobs.set(job.id, job);
  let row = rows.get(job.id);
  if (!row) {
    if (rows.size >= JOBS_SHOWN) return;
    row = el("tr", { dataset: { job: job.id } });
    rows.set(job.id, row);
    document.querySelector("#jobs tbody").append(row);
  }
  row.dataset.status = job.status;
  row.replaceChildren(...jobCells(job));
}

/** A run made with `reev run` (or the TUI) has no queue jobs: show its stored episodes. */
async function renderEpisodes(run) {
  const page = await api(`/episodes?run_id=${encodeURIComponent(runId)}&limit=${JOBS_SHOWN}`);
  const body = clear(document.querySelector("#jobs tbody"));
  for (const e of page.items) {
    body.append(el("tr", { dataset: { outcome: e.outcome } },
      el("td", { class: "mono" }, e.benchmark_id),
      el("td", { class: "mono" }, e.agent),
      el("td", { class: "num" }, e.epoch),
      el("td", {}, outcomeBadge(e.outcome), e.first_failure ? el("div", { class: "muted" }, `${e.first_failure.kind}: ${e.first_failure.reason}`) : null),
      el("td", { class: "num" }, scoreCell(e)),
      el("td", {}, episodeLink(e.execution_id, "open"))));
  }
  document.getElementById("jobs-more").textContent =
    page.total > page.items.length ? `newest ${page.items.length} of ${page.total} episodes shown` : "";
  document.getElementById("live").textContent = `recorded by ${madeBy(run.config)}: no live updates`;
  document.body.dataset.live = "false";
  // the four outcomes apart (the run's own counts merge errors and infrastructure errors)
  const outcomes = ["passed", "failed", "error", "infrastructure"];
  const totals = await Promise.all(outcomes.map((o) =>
    api(`/episodes?run_id=${encodeURIComponent(runId)}&outcome=${o}&limit=1`).then((r) => r.total)));
  const p = run.progress;
  document.getElementById("counts").textContent = `${p.done} of ${p.total} done (${p.percent}%) — ` +
    outcomes.map((o, i) => `${OUTCOME_TEXT[o]} ${totals[i]}`).join(" · ");
}

const INTERFACES = { cli: "reev run", tui: "reev tui", api: "the API", mcp: "reev mcp", inspect: "inspect eval", library: "a script" };

function madeBy(config) {
  const spec = config.spec || {};
  return INTERFACES[spec.interface] || config.source || "reev run";
}

function renderProgress(run) {
  const p = run.progress;
  document.getElementById("bar").style.width = `${p.percent}%`;
  document.querySelector(".progress").setAttribute("aria-valuenow", String(p.percent));
  const counts = Object.entries(p.by_status).filter(([, n]) => n).map(([s, n]) => `${s} ${n}`).join(" · ") || "nothing";
  document.getElementById("counts").textContent =
    `${p.done} of ${p.total} done (${p.percent}%) — ${counts}; ${run.episodes} episode(s) stored, ${run.passed} passed`;
  const badge = document.getElementById("run-status");
  badge.textContent = run.status;
  badge.className = `badge ${run.status}`;
  document.getElementById("cancel").disabled = p.done >= p.total;
  document.body.dataset.runStatus = run.status;
  document.body.dataset.percent = String(p.percent);
}

let reconciled = false;

async function refresh(withJobs) {
  const run = await api(`/runs/${encodeURIComponent(runId)}?jobs_limit=${withJobs ? JOBS_SHOWN : 0}`);
  // Once every job is done, read the rows from the server once more before showing the run
  // as finished: a job's last event may still be on its way (the rows must never say
  // "Running" under a completed run).
  const p = run.progress;
  if (p.source === "queue" && p.total && p.done >= p.total && !withJobs && !reconciled) {
    reconciled = true;
    return refresh(true);
  }
  if (withJobs && p.total && p.done >= p.total) reconciled = true;
  if (withJobs) {
    clear(document.querySelector("#jobs tbody"));
    rows.clear();
    jobs.clear();
    for (const job of run.jobs) upsertRow(job);
    document.getElementById("jobs-more").textContent =
      run.progress.total > JOBS_SHOWN ? `first ${JOBS_SHOWN} of ${run.progress.total} episodes shown` : "";
  }
  renderProgress(run);
  if (run.progress.source === "episodes") {
    if (stream) { stream.close(); stream = null; }
    await renderEpisodes(run);
  }
  return run;
}

/** At most one progress fetch per 300 ms, however many events arrive. */
function scheduleRefresh(withJobs = false) {
  refreshJobs = refreshJobs || withJobs;
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    const all = refreshJobs;
    refreshJobs = false;
    refresh(all).catch(showError);
  }, 300);
}

function listen() {
  // after=0: replay the run's stored events from its start, so a run that finished before
  // this page connected still shows them; reconnects resume from Last-Event-ID.
  const source = new EventSource(`/api/v1/events?run_id=${encodeURIComponent(runId)}&after=0`);
  const live = document.getElementById("live");
  source.addEventListener("open", () => { live.textContent = "● live"; document.body.dataset.live = "true"; });
  source.addEventListener("error", () => { live.textContent = "○ reconnecting…"; });
  source.addEventListener("job", (message) => {
    const event = JSON.parse(message.data);
    const job = jobs.get(event.job_id);
    document.body.dataset.events = String(Number(document.body.dataset.events || 0) + 1);
    // The event carries the new status and what changed (score, passed, error, progress).
    // Replayed history (after=0) can arrive after the first fetch: a job never moves back.
    if (job && stage(event.status) < stage(job.status)) return;
    if (job) upsertRow({ ...job, ...(event.data || {}), status: event.status });
    else if (rows.size < JOBS_SHOWN) scheduleRefresh(true);
    scheduleRefresh();
  });
  return source;
}

document.getElementById("leaderboard-link").href = `/?run_id=${encodeURIComponent(runId)}`;
document.getElementById("cancel").addEventListener("click", async () => {
  try {
    await api(`/runs/${encodeURIComponent(runId)}/cancel`, { method: "POST" });
    await refresh(true);
  } catch (error) { showError(error); }
});

stream = listen();
refresh(true).then(() => { document.body.dataset.loaded = "true"; }).catch(showError);
