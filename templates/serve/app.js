// kyotei serve: the only script. It filters the table as you type and keeps the open page
// current: the server's pulse (/events, server-sent events) says when the register was read
// again or a render ended, and the changed parts of the page are fetched and swapped in.
// Nothing from the server is inserted as markup except whole parts of kyotei's own page.
(() => {
  "use strict";
  const body = document.body;

  function applyFilter() {
    const box = document.getElementById("filter");
    if (!box) return;
    const q = box.value.normalize("NFKC").trim().toLowerCase();
    let shown = 0;
    document.querySelectorAll("#agreements tbody tr").forEach((tr) => {
      const hit = q === "" || tr.textContent.normalize("NFKC").toLowerCase().includes(q);
      tr.hidden = !hit;
      if (hit) shown += 1;
    });
    return shown;
  }
  document.addEventListener("input", (e) => {
    if (e.target && e.target.id === "filter") applyFilter();
  });
  document.addEventListener("DOMContentLoaded", applyFilter);

  function showJob(job) {
    const box = document.getElementById("job");
    if (!box) return;
    box.replaceChildren();
    box.classList.toggle("running", !!(job && job.running));
    box.classList.toggle("failed", !!(job && !job.ok));
    if (!job) return;
    const label = document.createElement("span");
    label.className = "job-label";
    label.textContent = (job.running ? "作成中：" : "作成済み：") + job.label;
    box.append(label);
    if (job.running) {
      const bar = document.createElement("progress");
      bar.id = "job-progress";
      bar.max = job.total || 1;
      bar.value = job.done;
      bar.setAttribute("aria-label", "作成の進み具合");
      bar.textContent = job.done + " / " + job.total;
      box.append(" ", bar, " ");
    } else {
      box.append(" ");
    }
    const message = document.createElement("span");
    message.className = "job-message";
    message.textContent = job.message;
    box.append(message);
  }

  let busy = false;
  let again = false;
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const r = await fetch(location.href, { cache: "no-store", credentials: "same-origin" });
      if (r.ok) {
        const fresh = new DOMParser().parseFromString(await r.text(), "text/html");
        for (const id of ["source", "live"]) {
          const now = document.getElementById(id);
          const next = fresh.getElementById(id);
          if (now && next) now.replaceWith(document.importNode(next, true));
        }
        body.dataset.register = fresh.body.dataset.register;
        body.dataset.files = fresh.body.dataset.files;
        applyFilter();
        document.dispatchEvent(new CustomEvent("kyotei:updated"));
      }
    } catch (e) {
      // The server is restarting or gone: the next pulse tries again.
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }

  if (!window.EventSource) return;
  const events = new EventSource("/events");
  events.addEventListener("pulse", (e) => {
    let p;
    try { p = JSON.parse(e.data); } catch (err) { return; }
    showJob(p.job);
    if (!body.dataset.live) return;
    if (String(p.register) !== body.dataset.register || String(p.files) !== body.dataset.files) {
      refresh();
    }
  });
})();
