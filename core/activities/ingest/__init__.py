"""Recording activities: from a parsed session to a stored, scored, matched activity.

Every source (a provider sync, a file sent in chat) ends here. One call
(`recording.record_activity`) does the whole chain inside the caller's transaction: the
plausibility check (`core.activities.plausibility`), upsert keyed by (athlete, source,
source id), metrics with the thresholds in force on the activity's local day (`scoring`),
streams, deduplication against copies from other sources, matching to the planned workout,
the daily load and fitness from that day on, and the outbox notifications (`notices`). A
repeated delivery is harmless. A manual entry (`/log`) takes the same path, so it counts at
once; a check-in only adds answers (`check_in_answers`). A provider's later change or
deletion goes through `edits`; a threshold change rescores through `scoring`.

What is news: a check-in is asked, and the coach pinged, only for a real session
(never a multisport file's transition) recorded within the last `notices.NEWS_WINDOW_DAYS`
days; an import of last year's ride is history, stored quietly.

Nothing is re-exported here: import each name from the module that holds it.
"""
