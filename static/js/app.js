// Small enhancements; every page works without them.

// Live character counters: <p data-counter-for="field-id" data-max="300">.
function updateCounter(counter) {
  const field = document.getElementById(counter.dataset.counterFor);
  if (!field) return;
  const max = Number(counter.dataset.max);
  const used = field.value.length;
  counter.textContent = `${used.toLocaleString()}/${max.toLocaleString()}`;
  counter.classList.toggle("is-over", used > max);
}

function bindCounters(root) {
  root.querySelectorAll("[data-counter-for]").forEach((counter) => {
    const field = document.getElementById(counter.dataset.counterFor);
    if (!field || field.dataset.counterBound) return;
    field.dataset.counterBound = "1";
    field.addEventListener("input", () => updateCounter(counter));
    updateCounter(counter);
  });
}

document.addEventListener("DOMContentLoaded", () => bindCounters(document));
document.addEventListener("htmx:load", (event) => bindCounters(event.target));

// Close the "Me" menu when clicking elsewhere.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});

// The compose window over the page: its close button (a link to the profile without
// JavaScript) and Escape empty the overlay.
function closeOverlay() {
  const overlay = document.getElementById("overlay");
  if (overlay) overlay.replaceChildren();
}

document.addEventListener("click", (event) => {
  const close = event.target.closest("#overlay [data-close-overlay]");
  if (!close) return;
  event.preventDefault();
  closeOverlay();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeOverlay();
});

// In development (DEBUG), django-htmx's script shows the answer to an htmx request that failed
// with 400, 403, 404 or 500 as the whole page, for Django's debug pages. Our own refusals
// answer such statuses with a fragment for htmx to swap (htmx-config's responseHandling), so
// the script must not see those: only a full page (Django's) is for it.
document.body.addEventListener("htmx:beforeOnLoad", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status >= 400 && !/^\s*<!doctype/i.test(xhr.responseText)) event.stopPropagation();
});
