"""Web plumbing every blueprint shares: errors, health, htmx helpers,
security headers, input guards, the request log, the page language,
app-wide template filters and labels, links and ids in URLs, CSV cells."""
