// Insights filters: picking a date means a custom range. Runs before htmx
// sends the form (the input's own listener fires before the form's).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.form && (field.name === "since" || field.name === "until")) {
    const period = field.form.elements.namedItem("period");
    if (period) period.value = "custom";
  }
}, true);
