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
// Header and menu: below 600 px the menu folds behind the Menu button. The CSS folds only a
// header marked "menu-ready", so without this script the menu simply stays open.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("[data-menu-toggle]");
  const header = toggle instanceof HTMLElement ? toggle.closest(".topbar") : null;
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls") || "");
  if (!(toggle instanceof HTMLElement) || !header || !menu) {
    return;
  }
  header.classList.add("menu-ready");
  toggle.addEventListener("click", () => {
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") {
      return;
    }
    // Escape closes the innermost open thing around the focus: "More", then the menu.
    const more = document.activeElement && document.activeElement.closest("details[data-menu-more][open]");
    if (more instanceof HTMLDetailsElement) {
      more.open = false;
      more.querySelector("summary")?.focus();
    } else if (toggle.getAttribute("aria-expanded") === "true" && menu.contains(document.activeElement)) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
});
// "More" closes when a click or the focus goes elsewhere, as a menu does.
document.addEventListener("click", (event) => {
  for (const more of document.querySelectorAll("details[data-menu-more][open]")) {
    if (event.target instanceof Node && !more.contains(event.target)) {
      more.open = false;
    }
  }
});
document.addEventListener("focusout", (event) => {
  const more = event.target instanceof Element ? event.target.closest("details[data-menu-more][open]") : null;
  if (more instanceof HTMLDetailsElement && !(event.relatedTarget instanceof Node && more.contains(event.relatedTarget))) {
    more.open = false;
  }
});
// A table wider than the screen scrolls inside its .table-wrap; a keyboard user can scroll it
// only if the wrap takes focus (WCAG 2.1.1; axe's scrollable-region-focusable). Such a wrap
// becomes a focusable region named by its table's caption or the heading above it.
let scrollingTableIds = 0;
const markScrollingTables = () => {
  for (const wrap of document.querySelectorAll(".table-wrap")) {
    if (!(wrap instanceof HTMLElement)) {
      continue;
    }
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.dataset.scrollFocus = "";
      let heading = wrap.querySelector("caption");
      for (let el = wrap.previousElementSibling; !heading && el; el = el.previousElementSibling) {
        if (/^H[1-6]$/.test(el.tagName)) {
          heading = el;
        }
      }
      if (heading) {
        if (!heading.id) {
          scrollingTableIds += 1;
          heading.id = `scrolling-table-${scrollingTableIds}`;
        }
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-labelledby", heading.id);
      }
    } else if (!scrolls && wrap.dataset.scrollFocus !== undefined) {
      for (const name of ["tabindex", "role", "aria-labelledby", "data-scroll-focus"]) {
        wrap.removeAttribute(name);
      }
    }
  }
};
document.addEventListener("DOMContentLoaded", markScrollingTables);
window.addEventListener("resize", markScrollingTables);
document.addEventListener("htmx:afterSettle", markScrollingTables);
