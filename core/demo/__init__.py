"""Demo data for `make run`: a coach, three athletes, plans and real recordings."""
