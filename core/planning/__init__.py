"""Planning: workouts and plans, their structure, check-ins, matching plan to activity."""
