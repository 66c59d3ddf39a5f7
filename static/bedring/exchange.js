// The needle exchange's transaction form: − and + beside each count, for one thumb. Without
// this script the number fields work alone (the buttons stay hidden).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".stepper button[data-step]")) {
    if (button instanceof HTMLButtonElement) {
      button.hidden = false;
    }
  }
});
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest(".stepper button[data-step]") : null;
  const input = button && document.getElementById(button.getAttribute("aria-controls") || "");
  if (!(input instanceof HTMLInputElement)) {
    return;
  }
  const step = Number(button.getAttribute("data-step"));
  const low = Number(input.min || "0");
  const high = input.max ? Number(input.max) : Infinity;
  const now = Number.parseInt(input.value || "0", 10);
  input.value = String(Math.min(high, Math.max(low, (Number.isNaN(now) ? 0 : now) + step)));
  input.dispatchEvent(new Event("change", { bubbles: true }));
});
