// After htmx swaps the form region, move focus to the first field with an
// error, or to the heading, so keyboard and screen-reader users follow along.
document.addEventListener("htmx:afterSwap", function (event) {
  var region = document.getElementById("lg-form");
  if (!region) return;
  var target = region.querySelector("[aria-invalid=true]") || region.querySelector("h1");
  if (target) target.focus();
});
