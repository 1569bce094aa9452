"""The Slack door: Block Kit rendering, modals, the feed, install and OAuth."""
