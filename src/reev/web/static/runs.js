// Runs, newest first, a page at a time (GET /runs?limit&offset).
import { api, el, clear, showError, when } from "./common.js";

const PAGE = 50;
let offset = Number(new URLSearchParams(location.search).get("offset") || 0);

async function load() {
  const runs = await api(`/runs?limit=${PAGE + 1}&offset=${offset}`);
  const body = clear(document.querySelector("#runs tbody"));
  for (const r of runs.slice(0, PAGE)) {
    body.append(el("tr", {},
      el("td", {}, el("a", { href: `/runs/${encodeURIComponent(r.id)}`, class: "mono" }, r.id)),
      el("td", {}, when(r.created_at)),
      el("td", {}, el("span", { class: `badge ${r.status}` }, r.status)),
      el("td", { class: "num" }, `${r.progress.done}/${r.progress.total} (${r.progress.percent}%)`)));
  }
  document.getElementById("prev").disabled = offset === 0;
  document.getElementById("next").disabled = runs.length <= PAGE;
  document.getElementById("page-info").textContent = `runs ${offset + 1}–${offset + Math.min(runs.length, PAGE)}`;
  history.replaceState(null, "", offset ? `/runs?offset=${offset}` : "/runs");
  document.body.dataset.loaded = "true";
}

document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load().catch(showError); });
document.getElementById("next").addEventListener("click", () => { offset += PAGE; load().catch(showError); });
load().catch(showError);
