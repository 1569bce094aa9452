"""Training load over days: daily load and fitness/fatigue/form, thresholds with history."""
