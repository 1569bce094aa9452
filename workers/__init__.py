"""Background jobs: the taskiq broker, its tasks and schedules, and the embedded runner."""
