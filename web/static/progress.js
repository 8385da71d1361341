// The run page: poll the progress endpoint once a second until the run is finished.
(function () {
  const box = document.getElementById("progress");
  if (!box) return;
  const show = (id, value) => {
    const cell = box.querySelector(`[data-figure="${id}"]`);
    if (cell) cell.textContent = value === null || value === undefined ? "–" : value;
  };
  async function poll() {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      const p = await response.json();
      show("stage", p.stage_label);
      ["scheduled", "objective", "bound", "gap", "seconds"].forEach((k) => show(k, p[k]));
      const of = document.getElementById("requests-of");
      if (of && p.requests) of.textContent = `/ ${p.requests}`;
      const note = document.getElementById("so-far");
      if (note) note.hidden = p.finished;
      const status = document.getElementById("status");
      status.textContent = p.status_label;
      status.className = `status ${p.status}`;
      if (p.error) {
        const error = document.getElementById("error");
        error.textContent = p.error;
        error.hidden = false;
      }
      if (p.finished) {
        document.querySelectorAll("#actions form").forEach((f) => f.remove());
        if (p.review_url) {
          const review = document.getElementById("review");
          review.href = p.review_url;
          review.hidden = false;
        }
        return;
      }
    } catch (e) {
      /* the server restarts or the network drops: try again */
    }
    setTimeout(poll, 1000);
  }
  poll();
})();
