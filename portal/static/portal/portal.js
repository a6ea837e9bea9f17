/* Site-wide behaviour. No inline scripts anywhere: the Content-Security-Policy forbids
   them. Everything here also works (more plainly) without JavaScript. */
(function () {
  "use strict";

  /* Numbers computed in the browser, in the same format as the server renders them
     (separators and grouping of the page's language, from <html data-…>). */
  window.portalFormatNumber = function (value, digits) {
    var html = document.documentElement.dataset;
    var fixed = Math.abs(value).toFixed(digits).split(".");
    var whole = fixed[0];
    var size = parseInt(html.numberGrouping || "0", 10);
    var separator = html.thousandSeparator || "";
    if (size > 0 && separator) {
      var groups = [];
      while (whole.length > size) {
        groups.unshift(whole.slice(-size));
        whole = whole.slice(0, -size);
      }
      groups.unshift(whole);
      whole = groups.join(separator);
    }
    var text = fixed.length > 1 ? whole + (html.decimalSeparator || ".") + fixed[1] : whole;
    return (value < 0 ? "-" : "") + text;
  };

  /* Confirm dialog: <form data-confirm="Question?"> (plain or hx-post) asks first in
     the page's <dialog id="confirm-dialog">; without JavaScript the form just submits. */
  var dialog = null;
  var pending = null;

  function ask(message, onAccept) {
    dialog = dialog || document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(message)) onAccept();
      return;
    }
    dialog.querySelector("#confirm-dialog-message").textContent = message;
    pending = onAccept;
    dialog.returnValue = "";
    dialog.showModal();
  }

  document.addEventListener("close", function (event) {
    if (event.target !== dialog) return;
    var accept = pending;
    pending = null;
    if (dialog.returnValue === "confirm" && accept) accept();
  }, true);

  // Plain forms (htmx forms are handled on htmx:confirm below).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-confirm]") || form.hasAttribute("hx-post")) return;
    if (form.dataset.confirmed === "yes") return;
    event.preventDefault();
    ask(form.dataset.confirm, function () {
      form.dataset.confirmed = "yes";
      form.requestSubmit();
    });
  }, true);

  // htmx requests from (or inside) an element with data-confirm.
  document.addEventListener("htmx:confirm", function (event) {
    var source = event.detail.elt.closest("[data-confirm]");
    if (!source) return;
    event.preventDefault();
    ask(source.dataset.confirm, function () { event.detail.issueRequest(true); });
  });

  /* After a failed submission the error summary takes focus (GOV.UK pattern), and
     links in it move focus to their field. */
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) summary.focus();
    var heading = root.querySelector("[data-autofocus]");
    if (!summary && heading) heading.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSettle", function () {
    focusErrorSummary(document);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });

  /* Alpine components (CSP build: registered here, referenced by name in x-data). */
  document.addEventListener("alpine:init", function () {
    // <section x-data="copyText">: an input x-ref="source", a button x-on:click="copy",
    // a status x-text="status" whose data-copied-text is the translated "Copied."
    window.Alpine.data("copyText", function () {
      return {
        status: "",
        copy: function () {
          var input = this.$refs.source;
          var done = this.$root.querySelector("[data-copied-text]");
          var self = this;
          input.select();
          var finish = function () { self.status = done ? done.dataset.copiedText : ""; };
          if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(input.value).then(finish, function () {});
          } else {
            // Plain http outside localhost: the older copy command still works.
            if (document.execCommand && document.execCommand("copy")) finish();
          }
        },
      };
    });
  });
})();
