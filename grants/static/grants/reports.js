/* Grant report editor: the difference between the budget and what was spent, live
   as one types, and whether it needs an explanation (the rule of the service,
   SpendingLine.needs_explanation, with the threshold the page passes in). Alpine CSP
   build: no expressions in attributes, only names. */
document.addEventListener("alpine:init", function () {
  "use strict";
  window.Alpine.data("varianceRow", function () {
    return {
      budget: 0,
      threshold: 0,
      currency: "",
      spent: null,
      init: function () {
        this.budget = parseFloat(this.$el.dataset.budget) || 0;
        this.threshold = parseFloat(this.$el.dataset.threshold) || 0;
        this.currency = this.$el.dataset.currency || "";
        this.read();
      },
      read: function () {
        var input = this.$el.querySelector("input[name^='spent_']");
        var value = input ? input.value.trim() : "";
        var number = parseFloat(value);
        this.spent = value === "" || isNaN(number) ? null : number;
      },
      update: function () { this.read(); },
      format: function (value, digits) {
        return window.portalFormatNumber(value, digits);
      },
      get variance() { return this.spent === null ? null : this.budget - this.spent; },
      get varianceText() {
        var variance = this.variance;
        if (variance === null) return "—";
        var text = this.format(variance, 2) + " " + this.currency;
        if (this.budget) text += " (" + this.format(variance / this.budget * 100, 1) + "%)";
        return text;
      },
      get needsExplanation() {
        if (this.spent === null) return false;
        if (this.budget === 0) return this.spent > 0;
        return Math.abs(this.variance) / this.budget > this.threshold / 100;
      },
      get explained() { return !this.needsExplanation; }
    };
  });
});
