"""The one workout language: the compact text a coach or athlete types for a structured
workout (`15m 60-75%hr; 5x(4m 106-120% / 4m 50%); 10m 60%`), read into the stored structure
(core/planning/structure.py) and printed back from it. docs/workouts.md is the syntax.

    parse_workout("run: 2k @ 4:15/km, 6x400m @ 3:30/km r90s, 1k easy")
        -> ParsedWorkout(sport="run", structure=[...])
    print_workout(structure, "run")  -> text that parses back to the same structure

A refusal is a WorkoutTextError: a catalogue sentence quoting the part to fix.
"""

from core.planning.workout_text.errors import WorkoutTextError
from core.planning.workout_text.printer import print_workout
from core.planning.workout_text.reader import ParsedWorkout, parse_workout

__all__ = ["ParsedWorkout", "WorkoutTextError", "parse_workout", "print_workout"]
