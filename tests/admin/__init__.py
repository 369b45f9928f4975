"""The site owner's admin pages."""
