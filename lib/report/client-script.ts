/**
 * The page's own script: reads the embedded JSON, attaches the formats that
 * JSON cannot carry (functions), and draws every chart with Chart.js. It
 * marks the body with the number of charts drawn, or with the error, so a
 * browser test can tell the outcome. Plain ES2017 without imports.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var body = document.body;
  function percent(v) {
    var x = Number(v) * 100;
    return (x !== 0 && Math.abs(x) < 10 ? x.toFixed(1) : x.toFixed(0)) + '%';
  }
  function withFormats(spec) {
    var options = spec.config.options;
    var scales = options.scales || {};
    var format = spec.format || {};
    if (format.y === 'percent' && scales.y) {
      scales.y.ticks = Object.assign({}, scales.y.ticks, { callback: percent });
      options.plugins = options.plugins || {};
      options.plugins.tooltip = {
        callbacks: {
          label: function (ctx) { return ctx.dataset.label + ': ' + percent(ctx.parsed.y); }
        }
      };
    }
    if (format.x === 'category' && scales.x) {
      var names = spec.categories || [];
      // One tick per category, at its integer position, labelled with its name.
      scales.x.afterBuildTicks = function (scale) {
        scale.ticks = names.map(function (_, i) { return { value: i }; });
      };
      scales.x.ticks = Object.assign({}, scales.x.ticks, {
        autoSkip: false,
        callback: function (v) { return names[v] !== undefined ? names[v] : ''; }
      });
    }
    if (spec.config.type === 'scatter') {
      options.plugins = options.plugins || {};
      options.plugins.tooltip = {
        callbacks: {
          label: function (ctx) {
            var x = format.x === 'category' ? (spec.categories || [])[ctx.parsed.x] : ctx.parsed.x;
            return 'trial ' + ctx.raw.trial + ': ' + x + ' → ' + ctx.parsed.y.toPrecision(4);
          }
        }
      };
    }
    return spec.config;
  }
  try {
    var payload = JSON.parse(document.getElementById('mfrec-report-data').textContent);
    Chart.defaults.animation = false;
    Chart.defaults.responsive = true;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.color = '#374151';
    Chart.defaults.font.family = getComputedStyle(body).fontFamily;
    var drawn = 0;
    payload.charts.forEach(function (spec) {
      var canvas = document.getElementById('chart-' + spec.id);
      if (!canvas) throw new Error('no canvas for chart ' + spec.id);
      new Chart(canvas, withFormats(spec));
      drawn++;
    });
    body.setAttribute('data-charts-drawn', String(drawn));
  } catch (e) {
    var message = e && e.message ? e.message : String(e);
    body.setAttribute('data-charts-error', message);
    var banner = document.getElementById('chart-error');
    if (banner) {
      banner.textContent = 'The charts could not be drawn: ' + message;
      banner.hidden = false;
    }
    console.error(e);
  }
})();
`;
