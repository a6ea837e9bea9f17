/* The proposal editor: keeps unsent input in this browser, and the live budget table.
 *
 * Draft keeping: every keystroke in the editor's form is copied to localStorage
 * (key `proposal-<pk>-<step>`, with the record version the page showed and the time).
 * The form autosaves with htmx; when a save succeeds the copy is dropped. On load, a
 * copy is put back into the form when the server's draft is unchanged since the copy
 * was taken (same version) or older than it; otherwise it is dropped. When the
 * connection comes back the form autosaves again.
 *
 * Budget table (Alpine, CSP build: methods only): line totals, the grand total in
 * local currency and USD, add / remove / reorder rows with renumbered formset names.
 */
(function () {
  "use strict";

  function storageKey(form) { return "portal:" + form.dataset.draftKey; }

  function versionOf(form) {
    var input = form.querySelector("#proposal-version");
    return input ? input.value : "";
  }

  function fieldsOf(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "submit" || el.type === "button") { return; }
      if (el.name === "csrfmiddlewaretoken" || el.name === "version") { return; }
      values[el.name] = el.value;
    });
    return values;
  }

  function keep(form) {
    try {
      localStorage.setItem(storageKey(form), JSON.stringify({
        savedAt: Date.now(), version: versionOf(form), fields: fieldsOf(form)
      }));
    } catch (e) { /* storage full or disabled: the server autosave still runs */ }
  }

  function stored(form) {
    try { return JSON.parse(localStorage.getItem(storageKey(form)) || "null"); }
    catch (e) { return null; }
  }

  function drop(form) {
    try { localStorage.removeItem(storageKey(form)); } catch (e) { /* ignore */ }
  }

  function setStatus(form, text) {
    var status = document.getElementById("autosave-status");
    if (status) { status.textContent = text; status.dataset.autosaveState = "local"; }
  }

  function restore(form) {
    var copy = stored(form);
    if (!copy || !copy.fields) { return; }
    var serverUpdated = Number(form.dataset.serverUpdated || 0);
    var newer = copy.version === versionOf(form) || copy.savedAt > serverUpdated;
    if (!newer) { drop(form); return; }
    var changed = false;
    Object.keys(copy.fields).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (el && !(el instanceof RadioNodeList) && el.value !== copy.fields[name]) {
        el.value = copy.fields[name];
        changed = true;
      }
    });
    if (changed) {
      setStatus(form, form.dataset.restoredText);
      form.dispatchEvent(new Event("input", { bubbles: true }));
    } else {
      drop(form);
    }
  }

  function setUp(form) {
    var lastRequestAt = 0;
    form.addEventListener("input", function () { keep(form); });
    form.addEventListener("change", function () { keep(form); });
    form.addEventListener("htmx:beforeRequest", function () {
      lastRequestAt = Date.now();
      var status = document.getElementById("autosave-status");
      if (status && form.dataset.savingText) {
        status.textContent = form.dataset.savingText;
        status.dataset.autosaveState = "saving";
      }
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      var status = document.getElementById("autosave-status");
      if (event.detail.successful && status && status.dataset.autosaveState === "saved") {
        var copy = stored(form);
        if (copy && copy.savedAt <= lastRequestAt) { drop(form); }
        if (status.dataset.serverUpdated) { form.dataset.serverUpdated = status.dataset.serverUpdated; }
      } else if (!xhr || xhr.status === 0) {
        setStatus(form, form.dataset.offlineText);
      }
    });
    form.addEventListener("htmx:sendError", function () { setStatus(form, form.dataset.offlineText); });
    // A "Save" while an autosave is on its way waits for it (and its new version),
    // so that the save is not refused as based on an old version.
    var waiting = null;
    form.addEventListener("submit", function (event) {
      keep(form);
      if (form.classList.contains("htmx-request")) {
        event.preventDefault();
        waiting = event.submitter || null;
      }
    });
    form.addEventListener("htmx:afterRequest", function () {
      if (waiting !== undefined && waiting !== null) {
        var submitter = waiting;
        waiting = null;
        // On the next turn: htmx clears the form's "htmx-request" class only after
        // this event, and a submit now would be held back again, for good.
        window.setTimeout(function () { form.requestSubmit(submitter); }, 0);
      }
    });
    window.addEventListener("online", function () {
      if (stored(form) && window.htmx) { window.htmx.trigger(form, "autosave-now"); }
    });
    window.addEventListener("offline", function () { setStatus(form, form.dataset.offlineText); });
    restore(form);
  }

  function start() {
    document.querySelectorAll("form[data-draft-key]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  // Budget table ------------------------------------------------------------------

  function number(value) {
    var n = parseFloat(String(value || "").replace(/\s/g, "").replace(",", "."));
    return isFinite(n) ? n : 0;
  }

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("budgetTable", function () {
      // The component's element, kept outside Alpine's reactive data: handlers run on
      // buttons of rows that may already be removed from the page.
      var rootEl = null;
      return {
        init: function () { rootEl = this.$el; this.recalc(); },
        format: function (value) { return window.portalFormatNumber(value, 2); },
        recalc: function () {
          var root = rootEl;
          var form = root.closest("form");
          var rateInput = form.querySelector("[data-rate]");
          var currencyInput = form.querySelector("input[name=currency]");
          var rate = number(rateInput && rateInput.value);
          var currency = (currencyInput && currencyInput.value || "").toUpperCase();
          var grand = 0;
          var self = this;
          root.querySelectorAll("[data-budget-body] [data-budget-row]").forEach(function (row) {
            var q = number(row.querySelector("[data-quantity]").value);
            var c = number(row.querySelector("[data-unit-cost]").value);
            var total = Math.round(q * c * 100) / 100;
            grand += total;
            row.querySelector("[data-line-total]").textContent = self.format(total);
          });
          grand = Math.round(grand * 100) / 100;
          root.querySelector("[data-grand-local]").textContent = this.format(grand) + " " + currency;
          var usd = rate > 0 ? Math.round(grand / rate * 100) / 100 : null;
          root.querySelector("[data-grand-usd]").textContent = usd === null ? "" : this.format(usd) + " USD";
          var warning = root.querySelector("[data-bounds-warning]");
          var min = number(root.dataset.minUsd);
          var max = root.dataset.maxUsd ? number(root.dataset.maxUsd) : null;
          if (warning) { warning.hidden = usd === null || grand === 0 || (usd >= min && (max === null || usd <= max)); }
        },
        renumber: function () {
          var rows = rootEl.querySelectorAll("[data-budget-body] [data-budget-row]");
          rows.forEach(function (row, index) {
            row.querySelectorAll("[name], [id], [for]").forEach(function (el) {
              ["name", "id", "for"].forEach(function (attr) {
                var value = el.getAttribute(attr);
                if (value) { el.setAttribute(attr, value.replace(/lines-(\d+|__prefix__)-/, "lines-" + index + "-")); }
              });
            });
            row.querySelectorAll("button[name=row_action]").forEach(function (button) {
              button.value = button.value.replace(/-(\d+|__prefix__)$/, "-" + index);
            });
          });
          rootEl.querySelector("input[name=lines-TOTAL_FORMS]").value = rows.length;
          this.recalc();
          var form = rootEl.closest("form");
          form.dispatchEvent(new Event("input", { bubbles: true }));
        },
        rowOf: function (event) { return event.target.closest("[data-budget-row]"); },
        addLine: function () {
          var template = rootEl.querySelector("template[data-budget-template]");
          var row = template.content.firstElementChild.cloneNode(true);
          rootEl.querySelector("[data-budget-body]").appendChild(row);
          this.renumber();
          var first = row.querySelector("input:not([type=hidden])");
          if (first) { first.focus(); }
        },
        removeLine: function (event) {
          var row = this.rowOf(event);
          var next = row.nextElementSibling || row.previousElementSibling;
          row.remove();
          this.renumber();
          var focus = next ? next.querySelector("input:not([type=hidden])") : rootEl.querySelector("button[value=add]");
          if (focus) { focus.focus(); }
        },
        moveUp: function (event) {
          var row = this.rowOf(event);
          var button = event.target.closest("button");
          if (row.previousElementSibling) { row.parentNode.insertBefore(row, row.previousElementSibling); }
          this.renumber();
          button.focus();
        },
        moveDown: function (event) {
          var row = this.rowOf(event);
          var button = event.target.closest("button");
          if (row.nextElementSibling) { row.parentNode.insertBefore(row.nextElementSibling, row); }
          this.renumber();
          button.focus();
        }
      };
    });
  });
})();
