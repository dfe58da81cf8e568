// Inside WeChat's browser a geo: link does nothing: hide it and offer to copy the coordinates
// or the address, with the hint to open the page in the system browser. Decided here rather
// than on the server so a page saved by the service worker or a cache is right in any browser.
(function () {
  "use strict";

  const block = document.getElementById("wechat-navigate");
  if (!block || !/MicroMessenger/i.test(navigator.userAgent)) return;
  block.hidden = false;
  for (const geo of document.querySelectorAll('.navigate-links a[data-app="geo"]')) {
    geo.closest("li").hidden = true;
  }
  const status = document.getElementById("copy-status");

  function copyBySelection(value) {
    const field = document.createElement("textarea");
    field.value = value;
    field.setAttribute("readonly", "");
    field.className = "copy-scratch";
    document.body.append(field);
    field.select();
    let done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    field.remove();
    return done;
  }

  for (const button of block.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const value = button.dataset.copy;
      let done = false;
      try {
        await navigator.clipboard.writeText(value);
        done = true;
      } catch (error) {
        done = copyBySelection(value);
      }
      status.textContent = done ? block.dataset.copied : block.dataset.copyFailed;
    });
  }
})();
