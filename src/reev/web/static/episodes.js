// Stored episodes, filtered and paginated by the API (GET /episodes?limit&offset): a page
// holds at most PAGE rows whatever the size of the store.
import { api, el, clear, pct, scoreClass, showError, episodeLink } from "./common.js";

const PAGE = 50;
const form = document.getElementById("filters");
const params = new URLSearchParams(location.search);
let offset = Number(params.get("offset") || 0);
for (const name of ["agent", "benchmark_id", "run_id"]) form.elements[name].value = params.get(name) || "";

function filters() {
  const query = new URLSearchParams();
  for (const name of ["agent", "benchmark_id", "run_id"]) {
    const value = form.elements[name].value.trim();
    if (value) query.set(name, value);
  }
  return query;
}

async function load() {
  showError(null);
  const query = filters();
  query.set("limit", String(PAGE));
  query.set("offset", String(offset));
  const page = await api(`/episodes?${query}`);
  const body = clear(document.querySelector("#episodes tbody"));
  for (const e of page.items) {
    body.append(el("tr", {},
      el("td", {}, episodeLink(e.execution_id, e.benchmark_id)),
      el("td", { class: "mono" }, e.agent),
      el("td", { class: "mono" }, el("a", { href: `/runs/${encodeURIComponent(e.run_id)}` }, e.run_id)),
      el("td", { class: "num" }, e.epoch),
      el("td", {}, e.status),
      el("td", { class: "num" }, el("span", { class: `cell ${scoreClass(e.score)}` }, pct(e.score)))));
  }
  const last = Math.min(offset + PAGE, page.total);
  document.getElementById("page-info").textContent =
    page.total ? `${offset + 1}–${last} of ${page.total}` : "no episodes";
  document.getElementById("prev").disabled = offset === 0;
  document.getElementById("next").disabled = last >= page.total;
  history.replaceState(null, "", `/episodes?${query}`);
  document.body.dataset.loaded = "true";
  document.body.dataset.total = String(page.total);
}

form.addEventListener("submit", (e) => { e.preventDefault(); offset = 0; load().catch(showError); });
document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load().catch(showError); });
document.getElementById("next").addEventListener("click", () => { offset += PAGE; load().catch(showError); });
load().catch(showError);
