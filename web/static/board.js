// The live board: re-fetch its content every 30 seconds (the board's data-refresh address)
// and put it in place; on a failed fetch the board stays as it was and says so.
(function () {
  const every = 30000;
  async function refresh() {
    const board = document.getElementById("board");
    if (!board || !board.dataset.refresh) return;
    try {
      const response = await fetch(board.dataset.refresh, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status);
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      const fresh = holder.querySelector("#board");
      if (fresh) board.replaceWith(fresh);
    } catch (error) {
      board.classList.add("stale");
    }
  }
  setInterval(refresh, every);
})();
