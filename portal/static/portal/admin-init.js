/*
 * Runs the set-up that Wagtail's admin would write as inline scripts, from JSON data
 * blocks instead (see portal/wagtail_csp.py), so the admin works under a
 * Content-Security-Policy without 'unsafe-inline'. Only the named functions and
 * constructors below can be called. Blocks are run as the page is parsed, and when
 * forms arrive later (modals).
 */
(function () {
  "use strict";
  var FUNCTIONS = ["initDateChooser", "initTimeChooser", "initDateTimeChooser", "createTaskChooser"];
  var CONSTRUCTORS = [
    "InlinePanel", "MultipleChooserPanel", "ImageChooser", "PageChooser",
    "DocumentChooser", "SnippetChooser"
  ];
  var SELECTOR = "script[type='application/json'][data-portal-init]";
  var done = new WeakSet();

  function run(node) {
    if (done.has(node)) return;
    var name = node.getAttribute("data-portal-init");
    var isNew = node.hasAttribute("data-portal-new");
    var allowed = isNew ? CONSTRUCTORS : FUNCTIONS;
    if (allowed.indexOf(name) === -1 || typeof window[name] !== "function") return;
    done.add(node);
    var args = JSON.parse(node.textContent);
    var target = window[name];
    if (isNew) {
      new (Function.prototype.bind.apply(target, [null].concat(args)))();
    } else {
      target.apply(window, args);
    }
  }

  function scan(root) {
    if (root.nodeType !== 1) return;
    if (root.matches(SELECTOR)) run(root);
    root.querySelectorAll(SELECTOR).forEach(run);
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(scan);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () {
    scan(document.documentElement);
  });
})();
