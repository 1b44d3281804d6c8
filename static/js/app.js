// Small enhancements; every page works without them.

// Live character counters: <p data-counter-for="field-id" data-max="300">. The visible count
// changes on every keystroke; screen readers hear it only when a threshold is crossed (a fifth
// of the room left, the limit reached, over it), through a polite live region beside it.
function counterLevel(used, max) {
  if (used > max) return "over";
  if (used === max) return "full";
  if (max - used <= Math.ceil(max / 5)) return "low";
  return "ok";
}

function announce(counter, used, max) {
  const level = counterLevel(used, max);
  if (counter.dataset.level === level) return;
  const first = counter.dataset.level === undefined;
  counter.dataset.level = level;
  if (first) return; // nothing to announce when the window opens
  let live = counter.nextElementSibling;
  if (!live || !live.hasAttribute("data-counter-live")) {
    live = document.createElement("span");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    live.setAttribute("data-counter-live", "");
    counter.after(live);
  }
  const left = max - used;
  live.textContent = {
    ok: "",
    low: `${left.toLocaleString()} characters left`,
    full: "Character limit reached",
    over: `${(-left).toLocaleString()} characters over the limit`,
  }[level];
}

function updateCounter(counter) {
  const field = document.getElementById(counter.dataset.counterFor);
  if (!field) return;
  const max = Number(counter.dataset.max);
  const used = field.value.length;
  counter.textContent = `${used.toLocaleString()}/${max.toLocaleString()}`;
  counter.classList.toggle("is-over", used > max);
  announce(counter, used, max);
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

// Menus (<details class="menu">): a click elsewhere or Escape closes them.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const menu = event.target.closest ? event.target.closest("details.menu[open]") : null;
  const open = menu || document.querySelector("details.menu[open]");
  if (!open) return;
  open.removeAttribute("open");
  open.querySelector("summary").focus();
});

// The compose window: htmx puts it in <dialog id="overlay">, shown here as a modal. Focus goes
// to its first field and back to the button that opened it when it closes (its × link, which
// is a link to the profile without JavaScript, or Escape). What was typed is kept per
// recipient in sessionStorage until it is sent, so closing never loses a draft.
const DRAFT_FIELDS = ["subject", "body"];
let composeOpener = null;

function overlay() {
  return document.getElementById("overlay");
}

function composeWindow() {
  const dialog = overlay();
  return dialog ? dialog.querySelector("#compose-window") : null;
}

function draftKey(section) {
  return `inmail-draft:${section.dataset.recipient}`;
}

function saveDraft() {
  const section = composeWindow();
  if (!section || section.hasAttribute("data-sent")) return;
  const draft = {};
  DRAFT_FIELDS.forEach((name) => {
    const field = section.querySelector(`[name=${name}]`);
    if (field && field.value) draft[name] = field.value;
  });
  if (Object.keys(draft).length) sessionStorage.setItem(draftKey(section), JSON.stringify(draft));
  else sessionStorage.removeItem(draftKey(section));
}

function restoreDraft(section) {
  const draft = JSON.parse(sessionStorage.getItem(draftKey(section)) || "{}");
  DRAFT_FIELDS.forEach((name) => {
    const field = section.querySelector(`[name=${name}]`);
    if (field && !field.value && draft[name]) {
      field.value = draft[name];
      field.dispatchEvent(new Event("input"));
    }
  });
}

function focusables(container) {
  return [...container.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden]), textarea, select, [tabindex]:not([tabindex='-1'])")]
    .filter((element) => element.offsetParent !== null || element === document.activeElement);
}

function focusFirst(dialog) {
  const error = dialog.querySelector("[role=alert]");
  const field = dialog.querySelector("input:not([type=hidden]), textarea");
  const target = field || focusables(dialog)[0];
  if (target) target.focus();
  // A refusal is announced by its role=alert; the field stays where the writing goes on.
  if (error && field && field.value) field.setSelectionRange(field.value.length, field.value.length);
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const dialog = overlay();
  if (dialog && !dialog.open && event.detail.target === dialog) {
    composeOpener = event.detail.elt;
  }
});

// After the settle, not the swap: htmx wires the new content's hx-* attributes in its settle
// tasks, and a box focused before that could take keys that trigger nothing.
document.addEventListener("htmx:afterSettle", (event) => {
  const dialog = overlay();
  const target = event.detail.target;
  if (!dialog || (target !== dialog && target.id !== "compose-window")) return;
  const section = composeWindow();
  if (section) {
    if (section.hasAttribute("data-sent")) {
      sessionStorage.removeItem(draftKey(section));
    } else {
      restoreDraft(section);
    }
  } else if (!dialog.querySelector("#new-message")) {
    return;
  }
  // The New message picker opens in the same dialog, and gives way to the compose window.
  if (!dialog.open) dialog.showModal();
  focusFirst(dialog);
});

document.addEventListener("input", (event) => {
  if (event.target.closest && event.target.closest("#overlay #compose-window")) saveDraft();
});

document.addEventListener("click", (event) => {
  const close = event.target.closest("#overlay [data-close-overlay]");
  if (!close) return;
  event.preventDefault();
  overlay().close();
});

document.addEventListener(
  "close",
  (event) => {
    if (event.target !== overlay()) return;
    saveDraft();
    event.target.replaceChildren();
    if (composeOpener && composeOpener.isConnected) composeOpener.focus();
    composeOpener = null;
  },
  true,
);

// Tab and Shift+Tab go round the window's own controls.
document.addEventListener("keydown", (event) => {
  const dialog = overlay();
  if (event.key !== "Tab" || !dialog || !dialog.open) return;
  const items = focusables(dialog);
  if (!items.length) return;
  const first = items[0];
  const last = items[items.length - 1];
  if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
    event.preventDefault();
    first.focus();
  }
});

// In development (DEBUG), django-htmx's script shows the answer to an htmx request that failed
// with 400, 403, 404 or 500 as the whole page, for Django's debug pages. Our own refusals
// answer htmx with 422 (core.http.fragment_status), and any other fragment of ours is for htmx
// to swap (htmx-config's responseHandling), so the script sees only full pages (Django's).
document.body.addEventListener("htmx:beforeOnLoad", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status >= 400 && !/^\s*<!doctype/i.test(xhr.responseText)) event.stopPropagation();
});

// After a conversation opens in the thread pane, focus moves to its heading (once its reply
// form is wired: see the compose window's afterSettle above).
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target.id !== "thread-pane" || event.detail.requestConfig.verb !== "get") return;
  const heading = document.getElementById("thread-heading");
  if (heading) heading.focus();
});

// Live updates (inmail.stream): <div id="live"> holds the page's stream, through htmx's SSE
// extension; each event brings fragments that swap themselves in out of band. The extension
// reconnects on its own; a new connection asks for what changed since the last event it got
// (`since`), so nothing sent while it was away is missed.
let liveLastEventId = null;

if (window.htmx && htmx.createEventSource) {
  const createEventSource = htmx.createEventSource;
  htmx.createEventSource = (url) => {
    if (!liveLastEventId) return createEventSource(url);
    const address = new URL(url, window.location.href);
    address.searchParams.set("since", liveLastEventId);
    return createEventSource(address.pathname + address.search);
  };
}

function nearBottom(list) {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
}

function toBottom(list) {
  list.scrollTop = list.scrollHeight;
}

function newMessagePill(list) {
  const pane = list.closest("#thread-pane");
  return pane ? pane.querySelector("[data-new-message]") : null;
}

// The open conversation's row in the list is marked as such (rows come in without it).
function markCurrentRow() {
  const thread = document.querySelector("#thread-pane .thread__messages");
  const current = thread ? thread.id.replace("messages-", "conversation-") : null;
  document.querySelectorAll(".conversation-row").forEach((row) => {
    const link = row.querySelector(":scope > a");  // none in a moved row's Undo
    row.classList.toggle("is-current", row.id === current);
    if (!link) return;
    if (row.id === current) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  });
}

// An event's fragments name their targets for every page; those this page doesn't have are
// dropped before the swap (htmx would log each as an error).
function oobTarget(element) {
  const value = element.getAttribute("hx-swap-oob");
  const colon = value.indexOf(":");
  return colon > 0 ? value.slice(colon + 1) : `#${CSS.escape(element.id)}`;
}

document.addEventListener("htmx:sseBeforeMessage", (event) => {
  if (event.target.id !== "live") return;
  event.preventDefault();
  if (event.detail.lastEventId) liveLastEventId = event.detail.lastEventId;
  const fragment = document.createElement("template");
  fragment.innerHTML = event.detail.data;
  [...fragment.content.children].forEach((element) => {
    if (!element.hasAttribute("hx-swap-oob") || !document.querySelector(oobTarget(element))) element.remove();
  });
  if (fragment.content.children.length) htmx.swap(event.target, fragment.innerHTML, { swapStyle: "none" });
  event.target.dispatchEvent(new CustomEvent("live:message", { bubbles: true, detail: event.detail }));
});

// After htmx has settled the swapped rows (it puts their new classes back last).
document.addEventListener("htmx:afterSettle", markCurrentRow);

// A row a live event put at the top while the list's rows were on their way (a conversation's
// own page loads them after the thread) is not shown twice: the live one, the newer, stays.
function dropRepeatedRows() {
  document.querySelectorAll(".conversations").forEach((list) => {
    const seen = new Set();
    list.querySelectorAll(":scope > .conversation-row").forEach((row) => {
      if (seen.has(row.id)) row.remove();
      else seen.add(row.id);
    });
  });
}
document.addEventListener("htmx:afterSettle", dropRepeatedRows);

// A message the thread already shows (sent from this page) is not added twice. A reader at
// the bottom of the thread follows the new message; one who scrolled up keeps their place
// and gets a "New message" button down to it.
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const list = event.detail.target;
  if (!list.classList || !list.classList.contains("thread__messages")) return;
  event.detail.fragment.querySelectorAll("li[id]").forEach((item) => {
    if (document.getElementById(item.id)) item.remove();
  });
  if (!event.detail.fragment.querySelector("li")) {
    event.detail.shouldSwap = false;
    return;
  }
  list.dataset.follow = nearBottom(list) ? "1" : "";
});

document.addEventListener("htmx:oobAfterSwap", (event) => {
  const list = event.detail.target;
  if (!list.classList || !list.classList.contains("thread__messages") || !event.detail.shouldSwap) return;
  if (list.dataset.follow) {
    toBottom(list);
    return;
  }
  const pill = newMessagePill(list);
  if (pill) pill.hidden = false;
});

document.addEventListener("click", (event) => {
  const pill = event.target.closest("[data-new-message]");
  if (!pill) return;
  const list = pill.closest("#thread-pane").querySelector(".thread__messages");
  if (list) toBottom(list);
  pill.hidden = true;
});

document.addEventListener(
  "scroll",
  (event) => {
    const list = event.target;
    if (!list.classList || !list.classList.contains("thread__messages") || !nearBottom(list)) return;
    const pill = newMessagePill(list);
    if (pill) pill.hidden = true;
  },
  true,
);

// A conversation opens at its latest message.
function threadToBottom() {
  document.querySelectorAll("#thread-pane .thread__messages").forEach(toBottom);
}

document.addEventListener("DOMContentLoaded", threadToBottom);
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id === "thread-pane" || event.detail.target.id === "messaging") threadToBottom();
});
