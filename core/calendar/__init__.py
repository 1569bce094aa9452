"""The read-only calendar: private links, what it shows, and its iCalendar feed."""
