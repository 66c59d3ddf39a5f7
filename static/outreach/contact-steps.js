// The street contact form (templates/outreach/contact_form.html) on a phone: one screen
// (fieldset) at a time with Next and Back, -/+ counters for items, quick minutes, and the
// person's part of the form that matches "Who was it?". Without this script the form is one
// long page that works the same. No inline script: the CSP is script-src 'self'.
(() => {
  const form = document.querySelector("form[data-outreach-form]");
  if (!(form instanceof HTMLFormElement)) {
    return;
  }
  const steps = Array.from(form.querySelectorAll("fieldset[data-step]"));
  let current = 0;

  const show = (index, focus) => {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach((step, i) => {
      step.hidden = i !== current;
    });
    if (focus) {
      const legend = steps[current].querySelector("legend");
      if (legend instanceof HTMLElement) {
        legend.setAttribute("tabindex", "-1");
        legend.focus({ preventScroll: true });
      }
      form.scrollIntoView({ block: "start" });
    }
  };
  const stepOf = (element) => steps.findIndex((step) => step.contains(element));

  if (steps.length > 1) {
    form.classList.add("steps-ready");
    for (const nav of form.querySelectorAll("[data-step-nav], [data-back]")) {
      nav.hidden = false;
    }
    // A refused form opens on the first screen with a problem.
    const problem = form.querySelector(".has-error, .errorlist");
    show(problem ? Math.max(0, stepOf(problem)) : 0, false);
    form.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest("[data-next], [data-back]") : null;
      if (!button) {
        return;
      }
      show(current + (button.hasAttribute("data-next") ? 1 : -1), true);
    });
    // Enter in a field of an earlier screen goes on to the next one instead of saving.
    form.addEventListener("keydown", (event) => {
      const field = event.target;
      if (event.key !== "Enter" || !(field instanceof HTMLInputElement) || current === steps.length - 1) {
        return;
      }
      event.preventDefault();
      show(current + 1, true);
    });
    // A form emptied for the next contact (the offline script keeps one on the phone and
    // resets the form) starts again on the first screen.
    form.addEventListener("reset", () => show(0, true));
    // A refusal the offline script shows on a field opens the screen that field is on.
    form.addEventListener("outreach:show-field", (event) => {
      const name = event instanceof CustomEvent && event.detail ? event.detail.name : "";
      const field = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
      const index = field ? stepOf(field) : -1;
      if (index >= 0) {
        show(index, true);
      }
    });
    // A link of the error summary to a field on another screen shows that screen first.
    document.addEventListener(
      "click",
      (event) => {
        const link = event.target instanceof Element ? event.target.closest(".error-summary a[href^='#']") : null;
        const target = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
        const index = target ? stepOf(target) : -1;
        if (index >= 0) {
          show(index, false);
          const details = target.closest("details");
          if (details instanceof HTMLDetailsElement) {
            details.open = true;
          }
        }
      },
      true,
    );
  }

  // -/+ beside each count, within the field's own limits.
  for (const button of form.querySelectorAll("[data-step-by]")) {
    button.hidden = false;
  }
  form.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-step-by]") : null;
    const input = button ? document.getElementById(button.dataset.target || "") : null;
    if (!(input instanceof HTMLInputElement)) {
      return;
    }
    const low = Number(input.min || 0);
    const high = Number(input.max || 1000);
    const now = Number.parseInt(input.value || "0", 10);
    const next = Math.max(low, Math.min(high, (Number.isNaN(now) ? 0 : now) + Number(button.dataset.stepBy)));
    input.value = String(next);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Quick minutes: one tap fills the minutes.
  const minutes = form.querySelector("input[name=minutes]");
  const quick = form.querySelector("[data-quick-minutes]");
  const pressQuick = () => {
    if (!(quick instanceof HTMLElement) || !(minutes instanceof HTMLInputElement)) {
      return;
    }
    for (const button of quick.querySelectorAll("[data-minutes]")) {
      button.setAttribute("aria-pressed", String(button.dataset.minutes === minutes.value));
    }
  };
  if (quick instanceof HTMLElement && minutes instanceof HTMLInputElement) {
    quick.hidden = false;
    quick.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest("[data-minutes]") : null;
      if (button instanceof HTMLElement) {
        minutes.value = button.dataset.minutes || "";
        pressQuick();
      }
    });
    minutes.addEventListener("input", pressQuick);
    pressQuick();
  }

  // Who was it: the part of the form for that person. Picking someone from the list, or a
  // code, says who it was.
  const whoInputs = Array.from(form.querySelectorAll("input[name=who]"));
  const parts = Array.from(form.querySelectorAll("[data-who-part]"));
  const who = () => {
    const checked = whoInputs.find((input) => input.checked);
    return checked ? checked.value : "";
  };
  const setWho = (value) => {
    for (const input of whoInputs) {
      input.checked = input.value === value;
    }
    showParts();
  };
  const showParts = () => {
    const chosen = who();
    for (const part of parts) {
      const name = part.dataset.whoPart;
      // Before anything is chosen the people met recently are shown: the common case.
      part.hidden = !(name === chosen || (chosen === "" && name === "client"));
    }
  };
  for (const input of whoInputs) {
    input.addEventListener("change", showParts);
  }
  form.addEventListener("change", (event) => {
    const field = event.target;
    if (field instanceof HTMLInputElement && field.name === "client" && field.checked) {
      setWho("client");
    }
  });
  const codeInput = form.querySelector("input[name=pseudonym]");
  const clientCode = form.querySelector("input[name=client_code]");
  if (clientCode instanceof HTMLInputElement) {
    clientCode.addEventListener("input", () => {
      if (clientCode.value.trim()) {
        setWho("client");
      }
    });
  }
  const chips = form.querySelector("[data-code-chips]");
  if (chips instanceof HTMLElement && chips.querySelector("[data-code]")) {
    chips.hidden = false;
    chips.addEventListener("click", (event) => {
      const chip = event.target instanceof Element ? event.target.closest("[data-code]") : null;
      if (chip instanceof HTMLElement && codeInput instanceof HTMLInputElement) {
        codeInput.value = chip.dataset.code || "";
        setWho("pseudonym");
      }
    });
  }
  showParts();

  // A place from the list says its kind of place; the list offers the chosen team's places
  // (and those of no team).
  const place = form.querySelector("select[name=place]");
  const site = form.querySelector("select[name=site]");
  if (place instanceof HTMLSelectElement && site instanceof HTMLSelectElement) {
    const offerPlaces = () => {
      for (const option of place.options) {
        option.hidden = Boolean(option.dataset.site) && option.dataset.site !== site.value;
      }
      if (place.selectedOptions[0] && place.selectedOptions[0].hidden) {
        place.value = "";
      }
    };
    site.addEventListener("change", offerPlaces);
    offerPlaces();
  }
  if (place instanceof HTMLSelectElement) {
    place.addEventListener("change", () => {
      const kind = place.selectedOptions[0] ? place.selectedOptions[0].dataset.locationType : "";
      const radio = kind ? form.querySelector(`input[name=location_type][value="${kind}"]`) : null;
      if (radio instanceof HTMLInputElement) {
        radio.checked = true;
      }
    });
  }

  // The shell kept for offline use has no time: a contact starts at this moment.
  const at = form.querySelector("input[name=at]");
  if (form.hasAttribute("data-shell") && at instanceof HTMLInputElement && !at.value) {
    const now = new Date();
    now.setSeconds(0, 0);
    const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
    at.value = local.toISOString().slice(0, 16);
  }
})();
