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
// The form pattern: a failed form moves focus to its error summary, so a keyboard or
// screen-reader user starts at the list of what to fix.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary instanceof HTMLElement) {
    summary.focus();
  }
});
// The form pattern's error summary: a link focuses its field and brings the field's label
// (or its group's legend) into view with it, not the bare box at the screen's top edge.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest(".error-summary a[href^='#']") : null;
  const target = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
  if (!(target instanceof HTMLElement)) {
    return;
  }
  event.preventDefault();
  (target.closest(".field") || target).scrollIntoView();
  target.focus({ preventScroll: true });
});
