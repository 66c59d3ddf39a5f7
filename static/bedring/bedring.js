// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) {
    el.form.requestSubmit();
  }
});
document.addEventListener("click", (event) => {
  const el = event.target;
  if (el instanceof HTMLElement && el.dataset.print !== undefined) {
    window.print();
  }
});
