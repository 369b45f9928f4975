// Copy buttons on the admin pages: <button data-copy="#selector" hidden>, with
// the messages in the page's language (data-copied-text, data-selected-text).
// They stay hidden without JavaScript; the text is there to select anyway.
(function (d) {
  function reveal(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function say(button, text) {
    var status = button.nextElementSibling;
    if (status && status.classList.contains("copy-status")) status.textContent = text;
  }

  d.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    var source = button && d.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = typeof source.value === "string" ? source.value : source.textContent;
    // Without the clipboard API (plain http on another host): select it for the person.
    function selectIt() {
      if (source.select) source.select();
      say(button, button.getAttribute("data-selected-text") || "Selected: press Ctrl+C (⌘C on a Mac) to copy.");
    }
    if (!navigator.clipboard || !window.isSecureContext) return selectIt();
    navigator.clipboard.writeText(text).then(function () {
      say(button, button.getAttribute("data-copied-text") || "Copied.");
    }, selectIt);
  });

  // htmx swaps in new sections with new buttons.
  d.addEventListener("htmx:load", function (event) {
    reveal(event.target);
  });
  if (d.readyState === "loading") {
    d.addEventListener("DOMContentLoaded", function () {
      reveal(d);
    });
  } else {
    reveal(d);
  }
})(document);
