// Private links and feed addresses: one click selects the whole address to copy it.
document.querySelectorAll("input.link-box").forEach((box) => {
  box.addEventListener("click", () => box.select());
});

// Long company pickers (a fair's 1,500 names): a search box above the select keeps only the
// options whose name holds what is typed. Without JavaScript the plain select still works.
document.querySelectorAll("select[data-search]").forEach((select) => {
  const all = Array.from(select.options).map((o) => [o.value, o.text]);
  const box = document.createElement("input");
  box.type = "search";
  box.className = "picker-filter";
  box.placeholder = select.dataset.search;
  box.setAttribute("aria-label", select.dataset.search);
  select.before(box);
  box.addEventListener("input", () => {
    const wanted = box.value.trim().toLowerCase();
    const kept = all.filter(([, text]) => text.toLowerCase().includes(wanted));
    select.replaceChildren(...kept.map(([value, text]) => new Option(text, value)));
    if (kept.length) select.selectedIndex = 0;
  });
});
