// Private links and feed addresses: one click selects the whole address to copy it.
document.querySelectorAll("input.link-box").forEach((box) => {
  box.addEventListener("click", () => box.select());
});
