// Benchmarks: list (GET /benchmarks), run a selection with an agent (POST /runs, then the
// run's live page), upload or edit YAML (POST /upsert-yml; errors shown at their line).
import { api, el, clear, showError } from "./common.js";

const body = document.querySelector("#benchmarks tbody");
const yaml = document.getElementById("yaml");
const uploadError = document.getElementById("upload-error");
const uploadStatus = document.getElementById("upload-status");

function selected() {
  return [...body.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
}

async function loadBenchmarks() {
  const list = await api("/benchmarks");
  clear(body);
  for (const b of list) {
    body.append(el("tr", { dataset: { id: b.id } },
      el("td", {}, el("input", { type: "checkbox", value: b.id, "aria-label": `select ${b.id}` })),
      el("td", { class: "mono" }, el("a", { href: `/benchmarks/${encodeURIComponent(b.id)}` }, b.id), b.origin === "upload" ? el("span", { class: "flag" }, "uploaded") : null),
      el("td", {}, b.tags.join(", ")),
      el("td", {}, b.prompt),
      el("td", {}, el("button", { type: "button", onclick: () => edit(b.id) }, "Edit"))));
  }
}

async function loadAgents() {
  const agents = await api("/agents");
  const select = document.getElementById("agent");
  for (const name of agents) select.append(el("option", { value: name }, name));
  if (agents.includes("deterministic")) select.value = "deterministic";
}

async function edit(id) {
  const b = await api(`/benchmarks/${encodeURIComponent(id)}`);
  yaml.value = b.yml_content || "";
  uploadError.hidden = true;
  yaml.scrollIntoView({ behavior: "smooth" });
  yaml.focus();
}

async function runSelected(event) {
  event.preventDefault();
  showError(null);
  const ids = selected();
  const status = document.getElementById("run-status");
  if (!ids.length) { status.textContent = "select at least one benchmark"; return; }
  const agent = { agent: document.getElementById("agent").value };
  const model = document.getElementById("model").value.trim();
  if (model) agent.model = model;
  const epochs = Number(document.getElementById("epochs").value || 1);
  status.textContent = "queueing…";
  try {
    const run = await api("/runs", { method: "POST", body: { benchmarks: ids, agents: [agent], epochs } });
    location.href = `/runs/${encodeURIComponent(run.run_id)}`;
  } catch (error) {
    status.textContent = "";
    showError(error);
  }
}

/** Show an upload error with the YAML line it points at (`source:line:col: ...`). */
function showUploadError(message) {
  const lines = yaml.value.split("\n");
  const parts = [message];
  for (const m of message.matchAll(/:(\d+):(\d+):/g)) {
    const n = Number(m[1]);
    const col = Number(m[2]);
    if (n >= 1 && n <= lines.length) {
      parts.push(`\nline ${n}: ${lines[n - 1]}\n${" ".repeat(`line ${n}: `.length + col - 1)}^`);
    }
  }
  uploadError.textContent = parts.join("\n");
  uploadError.hidden = false;
  const first = message.match(/:(\d+):(\d+):/);
  if (first) {
    const n = Number(first[1]);
    const start = lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
    yaml.setSelectionRange(start, start + (lines[n - 1] || "").length);
  }
}

async function upload() {
  uploadError.hidden = true;
  uploadStatus.textContent = "validating…";
  try {
    const r = await api("/upsert-yml", { method: "POST", body: { yml_content: yaml.value } });
    uploadStatus.textContent = `✅ ${r.benchmark_id}: ${r.message}`;
    await loadBenchmarks();
  } catch (error) {
    uploadStatus.textContent = "❌ not saved";
    showUploadError(error.message);
  }
}

document.getElementById("select-all").addEventListener("change", (e) => {
  for (const c of body.querySelectorAll("input[type=checkbox]")) c.checked = e.target.checked;
});
document.getElementById("run-form").addEventListener("submit", runSelected);
document.getElementById("upload").addEventListener("click", upload);
document.getElementById("yaml-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (file) yaml.value = await file.text();
});

Promise.all([loadBenchmarks(), loadAgents()])
  .then(() => { document.body.dataset.loaded = "true"; })
  .catch(showError);
