// The dashboard's progress curve: each target in percent of its value, day by day from
// the stored snapshots, against the linear pace of the year. The data comes from a
// <script type="application/json" id="progress-data"> written by json_script (not
// executable, so the Content-Security-Policy allows it).
(function () {
  "use strict";

  var canvas = document.getElementById("progress-chart");
  var source = document.getElementById("progress-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f6f43", "#c9a227", "#0d6efd", "#d63384", "#6f42c1", "#fd7e14",
    "#20c997", "#6c757d", "#dc3545", "#198754"];
  var monthStarts = data.labels.month_starts;

  function monthLabel(day) {
    var index = monthStarts.indexOf(day);
    return index === -1 ? "" : data.labels.months[index];
  }

  var datasets = data.series.map(function (series, index) {
    var colour = palette[index % palette.length];
    return {
      label: series.label,
      data: series.points,
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: 2,
      pointRadius: series.points.length > 60 ? 0 : 2,
      tension: 0
    };
  });
  datasets.push({
    label: data.labels.pace,
    data: data.pace,
    borderColor: "#6c757d",
    backgroundColor: "#6c757d",
    borderDash: [6, 4],
    borderWidth: 1.5,
    pointRadius: 0
  });

  var maxY = 100;
  data.series.forEach(function (series) {
    series.points.forEach(function (point) {
      maxY = Math.max(maxY, point.y);
    });
  });

  new Chart(canvas, {
    type: "line",
    data: { datasets: datasets },
    options: {
      responsive: true,
      aspectRatio: 2.6,
      animation: false,
      parsing: false,
      interaction: { mode: "nearest", intersect: false },
      scales: {
        x: {
          type: "linear",
          min: 1,
          max: data.days,
          afterBuildTicks: function (axis) {
            axis.ticks = monthStarts.map(function (day) { return { value: day }; });
          },
          ticks: {
            autoSkip: false,
            callback: function (value) { return monthLabel(value); }
          }
        },
        y: {
          min: 0,
          suggestedMax: Math.ceil(maxY / 10) * 10,
          title: { display: true, text: data.labels.axis },
          ticks: { callback: function (value) { return value + " %"; } }
        }
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            title: function (items) {
              return items.length ? dayLabel(items[0].parsed.x) : "";
            },
            label: function (item) {
              return item.dataset.label + ": " + item.parsed.y + " %";
            }
          }
        }
      }
    }
  });

  function dayLabel(day) {
    // "dd/mm" of the day of the year, from the month starts given by the page.
    var month = 0;
    for (var i = 0; i < monthStarts.length; i++) {
      if (monthStarts[i] <= day) {
        month = i;
      }
    }
    var date = day - monthStarts[month] + 1;
    return (date < 10 ? "0" : "") + date + "/" + data.labels.months[month];
  }
})();
