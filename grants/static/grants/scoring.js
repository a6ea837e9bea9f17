/* Scoring form: the weighted total, live as the reviewer scores. It is computed like
   grants/scoring.py: the weighted mean of the criteria that have a score, "not
   applicable" left out (never counted as zero), two decimals. Each radio carries its
   criterion's weight (data-weight). Alpine CSP build: only names in attributes. */
document.addEventListener("alpine:init", function () {
  "use strict";
  window.Alpine.data("scoring", function () {
    return {
      total: null,
      counted: 0,
      init: function () { this.update(); },
      update: function () {
        var checked = this.$el.querySelectorAll("input[type=radio][data-weight]:checked");
        var sum = 0;
        var weights = 0;
        var counted = 0;
        checked.forEach(function (input) {
          var value = parseInt(input.value, 10);
          var weight = parseFloat(input.dataset.weight);
          if (isNaN(value) || isNaN(weight)) return; // "not applicable"
          sum += weight * value;
          weights += weight;
          counted += 1;
        });
        this.counted = counted;
        this.total = weights > 0 ? Math.round((sum / weights) * 100) / 100 : null;
      },
      get totalText() {
        return this.total === null ? "—" : window.portalFormatNumber(this.total, 2);
      }
    };
  });
});
