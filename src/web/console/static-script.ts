// The console's only script, served as a static file at
// /console/static/console.js (the CSP allows scripts from 'self' only, never
// inline). It moves progress bars: every element with data-progress-url
// polls that JSON once a second and updates its <progress>, its text and
// its [data-field] figures until the work is finished. Without JavaScript
// the pages refresh themselves instead (<noscript> meta refresh).
export const CONSOLE_SCRIPT = `"use strict";
(function () {
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  async function follow(section) {
    var url = section.getAttribute("data-progress-url");
    var bar = section.querySelector("progress");
    var text = section.querySelector("[data-progress-text]");
    for (;;) {
      await sleep(1000);
      var data;
      try {
        var response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (response.status === 401) { text.textContent = "Your session ended; sign in again to follow the progress."; return; }
        if (!response.ok) continue;
        data = await response.json();
      } catch (error) {
        continue;
      }
      if (bar) { bar.max = Math.max(1, data.total); bar.value = data.total === 0 ? 1 : data.done; }
      if (text && text.textContent !== data.text) text.textContent = data.text;
      Object.keys(data.fields || {}).forEach(function (name) {
        var field = section.querySelector('[data-field="' + name + '"]');
        if (field) field.textContent = data.fields[name];
      });
      section.setAttribute("data-finished", data.finished ? "true" : "false");
      if (data.finished) return;
    }
  }
  document.querySelectorAll("[data-progress-url]").forEach(function (section) { follow(section); });
})();
`;
