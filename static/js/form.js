// After htmx swaps the form region, move focus to the first field with an
// error (its error is in its description), or to the heading, which is named
// with the step shown ("Step 2 of 2", the thank-you), so keyboard and
// screen-reader users hear where they are and Tab on from there.
document.addEventListener("htmx:afterSwap", function () {
  var region = document.getElementById("lg-form");
  if (!region) return;
  var target = region.querySelector("[aria-invalid=true]") || document.getElementById("lg-title");
  if (target) target.focus();
});

// When the server fails or cannot be reached, htmx leaves the form as it is:
// everything typed stays. Say so, so the visitor can simply send again.
function leadgateProblem() {
  var region = document.getElementById("lg-form");
  if (!region) return;
  var note = region.querySelector(".lg-problem");
  if (!note) {
    note = document.createElement("p");
    note.className = "lg-notice lg-problem";
    note.setAttribute("role", "alert");
    region.insertBefore(note, region.querySelector("form"));
  }
  note.textContent = region.getAttribute("data-problem");
}
document.addEventListener("htmx:responseError", leadgateProblem);
document.addEventListener("htmx:sendError", leadgateProblem);
