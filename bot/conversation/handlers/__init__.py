"""One module per command group; each exports COMMANDS, BUTTONS and AWAITING tables."""
