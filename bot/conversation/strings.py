"""Every sentence the bot says, in English and French.

`say(locale, key, **values)` picks the person's language (their User.locale, set from
Telegram's language code at first contact and changed in /settings) and falls back to
English for a missing key. User-facing words are Fitness, Fatigue, Form and Load; never
CTL, ATL, TSB or TSS.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": "Welcome to Trainlytics, {name}! A few taps to set you up.",
        "welcome_back": "Welcome back, {name}. Let's review your setup; nothing is lost.",
        "ask_role": "Are you an athlete, a coach, or both?",
        "role_athlete": "Athlete",
        "role_coach": "Coach",
        "role_both": "Both",
        "ask_tz": "Which timezone are you in? Share your location, type a city name, "
        "or pick one below.",
        "tz_more": "More zones…",
        "tz_unknown": "I don't know the city “{city}”. Try a nearby big city, an IANA name "
        "like Europe/Paris, an offset like UTC+2, or pick from the list.",
        "tz_share": "Or share your location:",
        "btn_share_location": "📍 Share my location",
        "tz_share_typed": "type it as latitude,longitude, e.g. 45.76,4.84",
        "tz_from_location": "Near {city}: timezone set to {tz}.",
        "tz_from_offset": "Timezone set to {tz} from your location.",
        "tz_set": "Timezone set to {tz}.",
        "ask_units": "Metric (km) or imperial (miles)?",
        "units_metric": "Metric",
        "units_imperial": "Imperial",
        "btn_close": "Close",
        "settings_usage": "Change one directly with /settings tz Europe/Paris, "
        "/settings lang en|fr or /settings units metric|imperial, or with the buttons.",
        "roster_pointer": "See /roster.",
        "ask_ftp": "Optional: your cycling FTP in watts (e.g. 250)?",
        "ask_lthr": "Optional: your threshold heart rate in bpm (e.g. 170)?",
        "ask_pace": "Optional: your threshold running pace per km (e.g. 4:15)?",
        "onboard_thr": "Optional ({n} of {total}): {what}? They turn your sessions into a "
        "training load; skip what you don't know, /settings changes them later.",
        "settings_thr": "Send {what}.",
        "thr_what_ftp": "your cycling FTP in watts (e.g. 250)",
        "thr_what_lthr": "your threshold heart rate in bpm (e.g. 170)",
        "thr_what_pace": "your threshold running pace per km (e.g. 4:15)",
        "thr_what_css": "your swim CSS, the pace per 100 m you can hold for about 30 minutes "
        "(e.g. 1:45)",
        "thr_what_maxhr": "your maximum heart rate in bpm (e.g. 190)",
        "thr_what_resthr": "your resting heart rate in bpm, taken on waking (e.g. 50)",
        "thr_what_weight": "your weight in kg (e.g. 70, or 154 lb)",
        "thr_name_ftp": "FTP",
        "thr_name_lthr": "Threshold heart rate",
        "thr_name_pace": "Threshold pace",
        "thr_name_css": "Swim CSS",
        "thr_name_maxhr": "Maximum heart rate",
        "thr_name_resthr": "Resting heart rate",
        "thr_name_weight": "Weight",
        "thr_unit_ftp": "W",
        "thr_unit_lthr": "bpm",
        "thr_unit_pace": "/km",
        "thr_unit_css": "/100 m",
        "thr_unit_maxhr": "bpm",
        "thr_unit_resthr": "bpm",
        "thr_unit_weight": "kg",
        "thr_not_a_number": "“{text}” is not a number: {name} is written like {example}.",
        "thr_not_a_pace": "“{text}” is not a pace: write minutes:seconds, like {example}.",
        "thr_out_of_range": "{name} must be between {low} and {high} {unit}; “{text}” looks "
        "like a typo.",
        "thr_hr_order": "Resting heart rate must be below threshold heart rate, and that below "
        "maximum heart rate; {value} bpm for “{name}” would break that.",
        "thr_again": "Send it again or tap Skip.",
        "thr_again_settings": "Send it again, or tap Back to keep the current value.",
        "thr_title": "Your thresholds (each scores your sessions from the day it holds):",
        "thr_line": "{name}: {value} {unit} (since {since})",
        "thr_unset": "{name}: not set",
        "thr_hint": "Tap one to change it. A new value holds from today; earlier sessions "
        "keep the one of their day.",
        "thr_saved": "{name}: {value} {unit} from {day}.",
        "btn_back": "◀ Back",
        "skip": "Skip",
        "skip_rest": "Skip the rest",
        "onboarded": "All set! Try /today for today's plan, /log to record a session, "
        "or /help for everything.",
        "help_1": "What I can do (1/2)\n"
        "/today – today's workouts and what you did\n"
        "/week – this week, with compliance and load\n"
        "/plan – the next 14 days\n"
        "/log – record a session in plain words, e.g. “ran 10k in 52 min yesterday rpe 6”\n"
        "Send a FIT, GPX or TCX file to import it.\n"
        "/fitness – your load chart with Fitness, Fatigue and Form\n"
        "/race DATE – your projected form on race day, e.g. /race {example}",
        "help_2": "What I can do (2/2)\n"
        "/coach CODE – join a coach with an invitation code; /coach shows your coach\n"
        "/settings – reminders, notifications, quiet hours, units, timezone, thresholds, "
        "language\n"
        "/connect – connect Strava, Garmin, Polar or Coros\n"
        "/calendar – your private calendar link\n"
        "/link – one person here and in Slack (a code to type there, or /link CODE)\n"
        "/start – set up again (safe to re-run)",
        "next_page": "More ▶",
        "prev_page": "◀ Back",
        "unknown_command": "I don't know /{command}. /help lists what I can do.",
        "free_text": "I read commands and files. To record a session, try "
        "/log ran 10k in 52 min. /help lists everything.",
        "free_text_new": "Hi! I'm Trainlytics: your training plan, your sessions and your "
        "coach in one chat. Send /start to set up (a minute or two).",
        "other_content": "I can't use photos, stickers or voice messages. I read commands, "
        "plain words after /log, and activity files (FIT, GPX, TCX) sent as a file. "
        "/help lists everything.",
        "not_onboarded": "Let's set you up first: /start.",
        "rate_limited": "Your charts take a moment to draw: try again in {seconds} s.",
        "rate_limited_file": "That's a lot of files at once: send this one again in {seconds} s. "
        "Nothing was stored from it.",
        "bad_button": "That button is from an older message; please use the latest one.",
        "crashed": "Sorry, something went wrong on my side and nothing was changed. Please "
        "try again; if it happens again, mention reference {ref}.",
        "today_title": "Today, {day}",
        "week_title": "Week of {day}",
        "plan_title": "Next 14 days",
        "nothing_planned": "Nothing planned.",
        "rest_day": "Rest day.",
        "no_plan_no_coach": "You have no plan and no coach yet. Plans come from a coach: ask "
        "yours for an invitation code and send /coach CODE (a coach on Trainlytics sends "
        "/invite). Meanwhile record what you do with /log, a FIT/GPX/TCX file or /connect.",
        "done_header": "Done:",
        "week_load": "Load this week: {done:.0f} done of {planned:.0f} planned.",
        "plan_load": "Load over these 14 days: {done:.0f} done of {planned:.0f} planned.",
        "compliance": "compliance {pct:.0f} %",
        "status_completed": "✅ done",
        "status_skipped": "⏭ skipped",
        "status_postponed": "↪ moved",
        "btn_done": "Done",
        "btn_skip": "Skip",
        "btn_move": "Move",
        "move_to": "Move “{title}” to which day?",
        "moved": "Moved “{title}” to {day}.",
        "marked_done": "Nice work! “{title}” is marked done.",
        "marked_skipped": "“{title}” is skipped. Rest well.",
        "log_usage": "Tell me what you did, for example:\n"
        "/log ran 10k in 52 min yesterday rpe 6\n"
        "/log swim 2000m 45min\n"
        "/log strength 40 min",
        "log_unclear": "I couldn't record that: {reason}\nExamples:\n"
        "/log ran 10k in 52 min yesterday rpe 6\n"
        "/log swim 2000m 45min\n"
        "/log strength 40 min",
        "log_why_empty": "tell me what you did.",
        "log_why_sport": "I could not tell which sport that was.",
        "log_why_duration": "I need how long it took, e.g. “45 min”, “1h30” or “52:30”.",
        "log_why_duration_range": "a session lasts between 1 minute and 24 hours.",
        "log_why_clock": "that time does not exist.",
        "log_why_rpe": "RPE goes from 1 (very easy) to 10 (maximal).",
        "log_why_future": "that day is in the future; log the session once it is done.",
        "log_why_no_such_day": "that date does not exist.",
        "log_why_distance": "that distance is not plausible.",
        "log_why_speed": "that is {speed_kmh} km/h, faster than anyone can go at {sport} "
        "(at most {limit_kmh} km/h). Check the numbers, e.g. “ran 10k in 52 min” or "
        "“ride 60 km in 2h”.",
        "log_why_twice": "I see more than one duration or distance; I won't guess which is right.",
        "log_why_leftover": "I did not understand “{words}”; I won't guess.",
        "log_confirm": "Record this?\n{summary}",
        "btn_confirm": "Confirm",
        "btn_cancel": "Cancel",
        "log_saved": "Recorded: {summary}.",
        "log_cancelled": "Cancelled; nothing recorded.",
        "log_expired": "That entry is no longer waiting; send /log again.",
        "file_too_big": "That file is {size} MB; the limit is {limit} MB. Nothing was stored.",
        "file_bad_type": "I import FIT, GPX and TCX files (also .gz). “{name}” isn't one.",
        "file_bad": "I couldn't read “{name}”: {reason} Nothing was stored.",
        "file_implausible": "I didn't import “{name}”: {reason} Nothing was stored.",
        "implausible_too_old": "it is dated {day}, before {earliest}: the device's clock was "
        "probably not set.",
        "implausible_in_future": "it is dated {day}, in the future: the device's clock is "
        "probably wrong.",
        "implausible_too_long": "it lasts {hours} h; no recording is longer than {limit} h.",
        "implausible_too_fast": "its average of {speed_kmh} km/h is faster than anyone can go "
        "at {sport} (at most {limit_kmh} km/h).",
        "implausible_heart_rate": "it has a heart rate of {bpm} bpm; a human one is between "
        "{low} and {high}.",
        "implausible_power": "it has a power of {watts} W, beyond any rider (at most {limit} W).",
        "implausible_bad_number": "some of its numbers are not real numbers.",
        "thresholds_assumed": "No thresholds were set for {day}: scored with those you entered "
        "on {since}.",
        "metric_hr": "HR",
        "metric_weighted_power": "Weighted power",
        "metric_intensity": "Intensity",
        "metric_elevation": "Climb",
        "file_imported": "Imported {summary}.",
        "file_duplicate": "Already had this one: {summary}.",
        "file_unavailable": "File import is not available on this server yet.",
        "checkin_rpe": "How hard was it? (RPE 1 = very easy, 10 = maximal)",
        "checkin_feel": "How did you feel?",
        "feel_1": "😣 awful",
        "feel_2": "🙁 poor",
        "feel_3": "😐 ok",
        "feel_4": "🙂 good",
        "feel_5": "😄 great",
        "checkin_pain": "Any pain or niggle?",
        "btn_pain": "Yes, some pain",
        "btn_nopain": "No pain",
        "ask_pain_note": "Sorry to hear. Where does it hurt? (a short note, or Skip)",
        "checkin_saved": "Thanks, noted. Your coach will see it.",
        "checkin_saved_solo": "Thanks, noted.",
        "fitness_reading": "Fitness {fitness:.0f} ({trend}), Fatigue {fatigue:.0f}, "
        "Form {form:+.0f}.\n{advice}",
        "trend_up": "rising",
        "trend_down": "falling",
        "trend_flat": "steady",
        "advice_fresh": "You're fresh: a good moment for a hard session or a race.",
        "advice_ok": "Balanced: training is sinking in.",
        "advice_tired": "You're carrying fatigue: keep the easy days easy.",
        "advice_very_tired": "Fatigue is high: consider a recovery day.",
        "no_history": "No training recorded yet; log a session or send a file and your "
        "chart will fill in.",
        "race_usage": "Tell me the race date, e.g. /race {example}.",
        "race_bad_date": "“{text}” isn't a date I can read; write it like {example}, "
        "20/12/2026 or Dec 20.",
        "race_reading": "On {day}: Fitness {fitness:.0f}, Fatigue {fatigue:.0f}, Form {form:+.0f}.",
        "race_basis_plan": "Projected from {so_far}, your plan until {until}, then rest.",
        "race_basis_full": "Projected from {so_far} and your plan up to that day.",
        "race_basis_rest": "Projected from {so_far}, then rest: nothing is planned before "
        "that day.",
        "race_so_far": "your training so far",
        "race_so_far_none": "no training recorded yet",
        "race_no_advice": "That far past the plan the projection only rests, so Form "
        "rises by itself: no advice for that day. Plan up to it for a real reading.",
        "race_no_data": "Nothing to project for {day} yet: no training recorded and nothing "
        "planned. Log sessions or send files, then ask again.",
        "coach_usage": "You have no coach yet. Ask yours for an invitation code, then send "
        "/coach CODE.",
        "coach_joined": "You're now coached by {coach}. They'll see your training and can "
        "plan workouts for you.",
        "coach_current": "Your coach is {coach}.",
        "btn_leave": "Leave coach",
        "leave_confirm": "Stop being coached by {coach}? They will no longer see your data.",
        "btn_leave_yes": "Yes, leave",
        "left_coach": "Done: you're no longer coached by {coach}.",
        "coach_comment": "💬 {author} on “{subject}”:\n",
        "btn_reply": "Reply",
        "ask_reply": "Type your reply to {author}:",
        "reply_sent": "Reply sent.",
        "settings_title": "Settings",
        "settings_summary": "Units: {units}\nTimezone: {tz}\nLanguage: {lang}\n"
        "Reminders: morning {morning}, evening {evening}\nQuiet hours: {quiet}\n"
        "Thresholds: {thresholds}",
        "off": "off",
        "none": "none",
        "btn_units": "Units",
        "btn_tz": "Timezone",
        "btn_lang": "Language",
        "btn_reminders": "Reminders",
        "btn_notifications": "Notifications",
        "btn_quiet": "Quiet hours",
        "btn_thresholds": "Thresholds",
        "ask_reminder": "Workout reminders (your local time): the evening before at "
        "{evening}, the same morning at {morning}. Tap a time to change it.",
        "remind_evening": "Evening",
        "remind_morning": "Morning",
        "notif_title": "Notifications: tap to cycle instant → digest → off.",
        "saved": "Saved.",
        "ask_quiet": "Quiet hours: no messages in this window (your local time).",
        "connect": "Connecting Strava, Garmin, Polar or Coros is not set up on this server: "
        "its operator adds each provider's app credentials and a public address. "
        "Meanwhile, send activity files (FIT, GPX, TCX) or use /log.",
        "connect_intro": "Connect an account and your sessions arrive here by themselves. "
        "Each link works once, within 30 minutes.",
        "connect_active": "✅ {provider}: connected",
        "connect_revoked": "🔌 {provider}: disconnected",
        "btn_connect": "Connect {provider}",
        "btn_disconnect": "Disconnect {provider}",
        "disconnected": "{provider} is disconnected: its new sessions won't arrive. "
        "Send /connect to connect it again.",
        "not_connected": "You have no active {provider} connection.",
        "connect_code_ok": "✅ Code accepted: go back to your browser, it goes on to {provider}.",
        "connect_code_wrong": "That code does not match the page your link opened. "
        "{left} tries left; check the page and send /connect with its code again.",
        "connect_code_none": "No connect page is waiting for a code. Send /connect, open "
        "the link, then send the code the page shows.",
        "btn_transfer_give": "Move it to {name}",
        "btn_transfer_keep": "Keep it mine",
        "transfer_gone": "This request is no longer open; nothing changed.",
        "err_where_step": "Step {step}",
        "field_sport": "Sport",
        "field_title": "Title",
        "field_date": "Date",
        "field_steps": "Steps",
        "part_duration": "the duration",
        "part_distance": "the distance",
        "part_kind": "the step type",
        "part_target": "the target",
        "part_note": "the note",
        "part_repeat": "the repeat count",
        "part_steps": "the repeated steps",
        "part_": "this step",
        "err_title_missing": "Title: give the workout a title.",
        "err_title_too_long_text": "Title: at most {limit} characters.",
        "err_sport_unknown_sport": "Sport: “{value}” is not a sport I know.",
        "err_date_missing": "Date: pick a date.",
        "err_steps_day_long": "Steps: a workout lasts between a minute and a day.",
        "err_steps_too_many_blocks": "Steps: at most {limit} lines.",
        "err_bad_line": "Steps, line {line}: “{text}” is not a step. Write e.g. “10min warmup” "
        "or “4x(3min interval @ 105-110% power, 2min recovery)”.",
        "err_extent": "{where}: give either a duration or a distance, not both.",
        "err_missing": "{where}: {part} is missing.",
        "err_unknown_part": "{where}: “{name}” is not part of a step.",
        "err_choice": "{where}: {part} must be one of {limit}.",
        "err_too_small": "{where}: {part} must be more than {limit}.",
        "err_at_least": "{where}: {part} must be at least {limit}.",
        "err_too_large": "{where}: {part} must be at most {limit}.",
        "err_too_few": "{where}: {part} needs at least {limit}.",
        "err_too_many": "{where}: {part} allows at most {limit}.",
        "err_too_long_text": "{where}: {part} has at most {limit} characters.",
        "err_number": "{where}: {part} must be a number.",
        "err_shape": "{where}: this is not a step; write e.g. “10min warmup”.",
        "err_target_order": "{where}: the target's high value must be at least its low value.",
        "err_target_percent": "{where}: a target above 250 % of the threshold is not plausible.",
        "err_rpe_range": "{where}: RPE targets go from 1 to 10.",
        "err_invalid": "{where}: {part} is not valid.",
        "calendar": "Your private calendar link (keep it to yourself; add it to Google or "
        "Apple Calendar and it stays up to date):\n",
        "calendar_unavailable": "The calendar link is not available on this server yet.",
        "link_code": "Your link code: {code} (single use, valid {minutes} minutes).\n"
        "In Slack, send /trainlytics link {code} to make your Slack account and this chat "
        "one person.",
        "link_done": "Linked: this chat and your Slack account are now one person, {name}.",
        "link_done_coach": "Linked: this chat and your Slack account are now one person, "
        "{name}. Your coach commands work here too (/help).",
        "link_unknown": "That link code is unknown, used or expired. Make a new one with "
        "/trainlytics link in Slack.",
        "link_too_many": "Too many wrong codes: try again in {minutes} min.",
        "link_both_have_history": "Both accounts already have their own training or coaching "
        "history; joining them would mix two people, so nothing was changed.",
        "calendar_local": "Your private calendar, on the computer running Trainlytics "
        "(keep it to yourself):\n{url}\n"
        "To open it anywhere, the server needs a public address (TRAINLYTICS_PUBLIC_URL).",
        "calendar_unshowable": "Your calendar link is on, but it was made before links could "
        "be shown again. “New link” gives you one to keep (the old one stops working).",
        "calendar_off": "Your calendar link is off: it no longer opens, and subscribed "
        "calendars stop updating. Send /calendar for a new one.",
        "btn_calendar_new": "New link (the old one stops working)",
        "btn_calendar_off": "Turn off",
        "kind_coach_comment": "Coach comments",
        "kind_reminder": "Workout reminders",
        "kind_weekly_summary": "Weekly summary",
        "kind_check_in": "Check-ins",
        "kind_new_plan": "New plans",
        "kind_workout_changed": "Workout changes",
        "mode_instant": "instant",
        "mode_digest": "digest",
        "mode_off": "off",
        "n_new_plan": "📅 {coach} planned new workouts for you. /week shows them.",
        "n_workout_moved_athlete": "📅 {athlete} moved “{title}” from {day} to {to}.",
        "n_workout_moved_coach": "📅 Your coach moved “{title}” from {day} to {to}.",
        "n_workout_moved_to_athlete": "📅 {athlete} moved “{title}” to {to}.",
        "n_workout_moved_to_coach": "📅 Your coach moved “{title}” to {to}.",
        "n_workout_scaled_athlete": "📅 “{title}” ({athlete}) is now {pct} % of its planned "
        "length.",
        "n_workout_scaled_coach": "📅 Your coach set “{title}” to {pct} % of its planned length.",
        "n_check_in": "✍ {athlete} on “{title}”:",
        "n_workout_completed": "✅ {athlete} completed “{title}”.",
        "n_activity_recorded": "🏃 {athlete} recorded {summary}.",
        "n_reminder": "⏰ Planned for today:",
        "n_weekly": "Your week: {done:.0f} load done of {planned:.0f} planned.",
        "n_digest": "Your digest:",
        "n_digest_line": "  • {label}: {count}",
        "n_sync": "Sync: {message}",
        "n_relationship": "{message}",
        "n_athlete_comment": "💬 {author} replied on “{subject}”:\n",
        "n_reminder_evening": "⏰ Planned for tomorrow:",
        "n_reminder_nothing": "⏰ Nothing left to do for {day}: it's all done or moved.",
        "n_workout_skipped": "⏭ {athlete} skipped “{title}”.",
        "n_new_plan_named": "📅 New plan “{name}” from {start}: {workouts}. /week shows them.",
        "n_new_plan_from": "📅 {coach} gave you a new plan, “{name}”, from {start}: "
        "{workouts}. /week shows them.",
        "n_workouts_one": "1 workout",
        "n_workouts_many": "{count} workouts",
        "n_new_workout": "📅 {coach} planned a workout for you:",
        "n_weekly_title": "Your week {first} – {last}",
        "n_weekly_sessions": "{count} sessions · {time} · {distance} · Load {load:.0f}",
        "n_weekly_plan": "Plan: {done} of {planned} workouts done",
        "n_weekly_fitness": "Fitness {fitness:.0f} · Fatigue {fatigue:.0f} · Form {form:+.0f}",
        "dg_title": "Athletes to look at, {day}",
        "dg_count": "{count} athlete(s) need your attention:",
        "dg_missed": "missed key workout “{title}” ({day})",
        "dg_pain": "reported pain",
        "dg_low_form": "very tired (Form {form:+.0f})",
        "dg_never_synced": "no session recorded yet",
        "dg_no_sync": "nothing recorded for {days} days",
        "dg_low_compliance": "followed {pct:.0f} % of the plan this week",
        "n_sync_revoked": "🔌 {provider} is disconnected, so new sessions won't arrive. "
        "Send {command} to reconnect.",
        "n_sync_data_deleted": "🗑 You removed Trainlytics at {provider}, so, as {provider}'s "
        "terms require, the {count} activities imported from {provider} were deleted here. "
        "Sessions from files and other providers stay. Send {command} to connect again.",
        "n_sync_delayed": "⏳ {provider} is slow to answer; your sessions will arrive a bit "
        "later. Nothing is lost.",
        "n_sync_requested": "🔄 {provider} is preparing your history; I'll tell you as it arrives.",
        "n_sync_progress": "🔄 {provider}: imported {done} of {total} activities…",
        "n_sync_finished": "✅ {provider}: imported {done} of {total} activities. All done.",
        "n_sync_deleted": "🗑 “{name}” ({day}) was deleted at the source; removed here too.",
        "n_sync_updated": "✏ “{name}” ({day}) was updated from the source.",
        "n_transfer_ask": "⚠ {other} connected a {provider} account that is connected to "
        "you here. If it is yours and you did not give it away, keep it. Nothing moves "
        "unless you choose.",
        "n_transfer_waiting": "⏳ This {provider} account is already connected to {other}. "
        "I asked them; nothing moves unless they agree.",
        "n_transfer_moved_owner": "🔁 Your {provider} account now syncs to {other}; your "
        "past sessions stay yours.",
        "n_transfer_moved_newcomer": "✅ {other} agreed: {provider} is connected to you. "
        "Importing your recent sessions.",
        "n_transfer_kept_owner": "✅ Your {provider} account stays yours; {other} was told.",
        "n_transfer_kept_newcomer": "🚫 {other} kept the {provider} account: it was not "
        "connected to you.",
        "n_relationship_joined": "🤝 {athlete} joined you: you are now their coach.",
        "n_relationship_other": "Your coaching relationship changed.",
        "n_generic": "You have a new update in Trainlytics.",
        "kind_athlete_comment": "Athlete replies",
        "kind_workout_completed": "Completed workouts",
        "kind_activity_recorded": "New sessions",
        "kind_coach_digest": "Coach digest",
        "kind_sync_status": "Sync",
        "kind_relationship": "Coaching",
        # --- coach commands (/roster, /athlete, /invite, /comment, /digest) ---
        "help_coach": "For coaches\n"
        "/roster – your athletes at a glance\n"
        "/athlete NAME – this week vs plan, Fitness/Fatigue/Form, last sessions, next "
        "workouts, flags\n"
        "/invite – an invitation code (and link) to hand to a new athlete\n"
        "/comment NAME TEXT – comment on the athlete's latest session\n"
        "/digest – who needs your attention today",
        "coach_only": "/{command} is for coaches. To coach, send /start and pick Coach "
        "(or Both to keep training yourself); your athletes then join you with /invite's code.",
        "roster_title": "Your athletes ({count})",
        "roster_empty": "You have no athletes yet. /invite gives you a code to hand to one.",
        "roster_line": "{compliance} · {form} · {flags}",
        "roster_no_plan": "no workout due",
        "roster_form": "Form {form:+.0f}",
        "roster_no_form": "no load yet",
        "roster_ok": "✅ all good",
        "roster_flags": "⚠ {count} flag(s)",
        "roster_not_shared": "🔒 not shared: keeps their activities to themself",
        "roster_hint": "Tap a name, or send /athlete NAME.",
        "athlete_usage": "Which athlete? For example /athlete Ana; /roster lists them.",
        "ath_title": "{name} · week of {day}",
        "ath_week": "Plan: {done} of {planned} due workouts done ({compliance}). "
        "Load {load:.0f} of {planned_load:.0f} planned this week.",
        "ath_load": "Fitness {fitness:.0f} · Fatigue {fatigue:.0f} · Form {form:+.0f}",
        "ath_no_load": "No training load recorded yet.",
        "ath_recent": "Last sessions:",
        "ath_upcoming": "Next workouts:",
        "ath_flags": "Needs attention:",
        "ath_no_flags": "Nothing needs your attention.",
        "ath_none": "  none",
        "invite_code": "Invitation code: {code} (single use, valid 7 days).\n"
        "The athlete sends /coach {code} to the Trainlytics bot on Telegram.",
        "invite_link": "Or they open this link: ",
        "comment_usage": "Tell me who and what, e.g. /comment Ana Great week!",
        "comment_sent": "Sent to {name} on {subject}.",
        "subject_activity": "their session “{name}” of {day}",
        "subject_workout": "the workout “{title}” on {day}",
        "digest_none": "Nobody needs your attention today. 🎉",
    },
    "fr": {
        "welcome": "Bienvenue sur Trainlytics, {name} ! Quelques touches pour commencer.",
        "welcome_back": "Re-bonjour {name}. Revoyons vos réglages ; rien n'est perdu.",
        "ask_role": "Vous êtes athlète, coach, ou les deux ?",
        "role_athlete": "Athlète",
        "role_coach": "Coach",
        "role_both": "Les deux",
        "ask_tz": "Quel est votre fuseau horaire ? Partagez votre position, tapez le nom "
        "d'une ville, ou choisissez ci-dessous.",
        "tz_more": "Plus de fuseaux…",
        "tz_unknown": "Je ne connais pas la ville « {city} ». Essayez une grande ville "
        "proche, un nom IANA comme Europe/Paris, un décalage comme UTC+2, ou la liste.",
        "tz_share": "Ou partagez votre position :",
        "btn_share_location": "📍 Partager ma position",
        "tz_share_typed": "tapez-la en latitude,longitude, ex. 45.76,4.84",
        "tz_from_location": "Près de {city} : fuseau réglé sur {tz}.",
        "tz_from_offset": "Fuseau réglé sur {tz} d'après votre position.",
        "tz_set": "Fuseau réglé sur {tz}.",
        "ask_units": "Métrique (km) ou impérial (miles) ?",
        "units_metric": "Métrique",
        "units_imperial": "Impérial",
        "btn_close": "Fermer",
        "settings_usage": "Changez-en un directement avec /settings tz Europe/Paris, "
        "/settings lang en|fr ou /settings units metric|imperial, ou avec les boutons.",
        "roster_pointer": "Voir /roster.",
        "ask_ftp": "Facultatif : votre FTP vélo en watts (ex. 250) ?",
        "ask_lthr": "Facultatif : votre fréquence cardiaque au seuil en bpm (ex. 170) ?",
        "ask_pace": "Facultatif : votre allure seuil en course, par km (ex. 4:15) ?",
        "onboard_thr": "Facultatif ({n} sur {total}) : {what} ? Ils transforment vos séances "
        "en charge d'entraînement ; passez ce que vous ne savez pas, /settings les change "
        "plus tard.",
        "settings_thr": "Envoyez {what}.",
        "thr_what_ftp": "votre FTP vélo en watts (ex. 250)",
        "thr_what_lthr": "votre fréquence cardiaque au seuil en bpm (ex. 170)",
        "thr_what_pace": "votre allure seuil en course, par km (ex. 4:15)",
        "thr_what_css": "votre CSS en natation, l'allure aux 100 m tenable environ 30 minutes "
        "(ex. 1:45)",
        "thr_what_maxhr": "votre fréquence cardiaque maximale en bpm (ex. 190)",
        "thr_what_resthr": "votre fréquence cardiaque au repos en bpm, prise au réveil (ex. 50)",
        "thr_what_weight": "votre poids en kg (ex. 70, ou 154 lb)",
        "thr_name_ftp": "FTP",
        "thr_name_lthr": "Fréquence cardiaque au seuil",
        "thr_name_pace": "Allure seuil",
        "thr_name_css": "CSS natation",
        "thr_name_maxhr": "Fréquence cardiaque maximale",
        "thr_name_resthr": "Fréquence cardiaque au repos",
        "thr_name_weight": "Poids",
        "thr_unit_ftp": "W",
        "thr_unit_lthr": "bpm",
        "thr_unit_pace": "/km",
        "thr_unit_css": "/100 m",
        "thr_unit_maxhr": "bpm",
        "thr_unit_resthr": "bpm",
        "thr_unit_weight": "kg",
        "thr_not_a_number": "« {text} » n'est pas un nombre : {name} s'écrit comme {example}.",
        "thr_not_a_pace": "« {text} » n'est pas une allure : écrivez minutes:secondes, comme "
        "{example}.",
        "thr_out_of_range": "{name} doit être entre {low} et {high} {unit} ; « {text} » "
        "ressemble à une faute de frappe.",
        "thr_hr_order": "La fréquence cardiaque au repos doit être sous celle au seuil, elle-même "
        "sous la maximale ; {value} bpm pour « {name} » romprait cet ordre.",
        "thr_again": "Renvoyez-la ou touchez Passer.",
        "thr_again_settings": "Renvoyez-la, ou touchez Retour pour garder la valeur actuelle.",
        "thr_title": "Vos seuils (chacun compte vos séances à partir du jour où il vaut) :",
        "thr_line": "{name} : {value} {unit} (depuis le {since})",
        "thr_unset": "{name} : non renseigné",
        "thr_hint": "Touchez-en un pour le changer. Une nouvelle valeur vaut dès aujourd'hui ; "
        "les séances passées gardent celle de leur jour.",
        "thr_saved": "{name} : {value} {unit} à partir du {day}.",
        "btn_back": "◀ Retour",
        "skip": "Passer",
        "skip_rest": "Passer la suite",
        "onboarded": "C'est prêt ! Essayez /today pour le programme du jour, /log pour "
        "noter une séance, ou /help pour tout voir.",
        "help_1": "Ce que je sais faire (1/2)\n"
        "/today – les séances du jour et ce que vous avez fait\n"
        "/week – la semaine, avec le respect du plan et la charge\n"
        "/plan – les 14 prochains jours\n"
        "/log – noter une séance en mots simples, ex. « couru 10k en 52 min hier rpe 6 »\n"
        "Envoyez un fichier FIT, GPX ou TCX pour l'importer.\n"
        "/fitness – votre graphique de charge : Forme de fond, Fatigue et Fraîcheur\n"
        "/race DATE – votre fraîcheur prévue le jour J, ex. /race {example}",
        "help_2": "Ce que je sais faire (2/2)\n"
        "/coach CODE – rejoindre un coach avec un code d'invitation ; /coach montre votre "
        "coach\n"
        "/settings – rappels, notifications, heures calmes, unités, fuseau, seuils, langue\n"
        "/connect – connecter Strava, Garmin, Polar ou Coros\n"
        "/calendar – votre lien de calendrier privé\n"
        "/link – une seule personne ici et dans Slack (un code à y taper, ou /link CODE)\n"
        "/start – reprendre la configuration (sans risque)",
        "next_page": "Suite ▶",
        "prev_page": "◀ Retour",
        "unknown_command": "Je ne connais pas /{command}. /help liste ce que je sais faire.",
        "free_text": "Je lis les commandes et les fichiers. Pour noter une séance : "
        "/log couru 10k en 52 min. /help liste tout.",
        "free_text_new": "Bonjour ! Je suis Trainlytics : votre plan d'entraînement, vos "
        "séances et votre coach dans une seule conversation. Envoyez /start pour commencer "
        "(une minute ou deux).",
        "other_content": "Je ne sais pas lire les photos, autocollants ou messages vocaux. "
        "Je lis les commandes, quelques mots après /log et les fichiers d'activité (FIT, "
        "GPX, TCX) envoyés comme fichier. /help liste tout.",
        "not_onboarded": "Commençons par la configuration : /start.",
        "rate_limited": "Vos graphiques prennent un moment à dessiner : réessayez dans "
        "{seconds} s.",
        "rate_limited_file": "Beaucoup de fichiers d'un coup : renvoyez celui-ci dans {seconds} s. "
        "Rien n'en a été enregistré.",
        "bad_button": "Ce bouton vient d'un ancien message ; utilisez le plus récent.",
        "crashed": "Désolé, un problème est survenu de mon côté et rien n'a été modifié. "
        "Réessayez ; si cela se reproduit, indiquez la référence {ref}.",
        "today_title": "Aujourd'hui, {day}",
        "week_title": "Semaine du {day}",
        "plan_title": "Les 14 prochains jours",
        "nothing_planned": "Rien de prévu.",
        "rest_day": "Jour de repos.",
        "no_plan_no_coach": "Vous n'avez encore ni plan ni coach. Les plans viennent d'un "
        "coach : demandez-lui un code d'invitation et envoyez /coach CODE (un coach sur "
        "Trainlytics envoie /invite). En attendant, notez vos séances avec /log, un fichier "
        "FIT/GPX/TCX ou /connect.",
        "done_header": "Réalisé :",
        "week_load": "Charge de la semaine : {done:.0f} faite sur {planned:.0f} prévue.",
        "plan_load": "Charge sur ces 14 jours : {done:.0f} faite sur {planned:.0f} prévue.",
        "compliance": "respect {pct:.0f} %",
        "status_completed": "✅ faite",
        "status_skipped": "⏭ sautée",
        "status_postponed": "↪ déplacée",
        "btn_done": "Faite",
        "btn_skip": "Passer",
        "btn_move": "Déplacer",
        "move_to": "Déplacer « {title} » à quel jour ?",
        "moved": "« {title} » déplacée au {day}.",
        "marked_done": "Bravo ! « {title} » est marquée faite.",
        "marked_skipped": "« {title} » est sautée. Reposez-vous bien.",
        "log_usage": "Dites-moi ce que vous avez fait, par exemple :\n"
        "/log couru 10k en 52 min hier rpe 6\n"
        "/log natation 2000m 45min\n"
        "/log muscu 40 min",
        "log_unclear": "Je n'ai pas pu noter cela : {reason}\nExemples :\n"
        "/log couru 10k en 52 min hier rpe 6\n"
        "/log natation 2000m 45min\n"
        "/log muscu 40 min",
        "log_why_empty": "dites-moi ce que vous avez fait.",
        "log_why_sport": "je n'ai pas reconnu le sport.",
        "log_why_duration": "il me faut la durée, par ex. « 45 min », « 1h30 » ou « 52:30 ».",
        "log_why_duration_range": "une séance dure entre 1 minute et 24 heures.",
        "log_why_clock": "cette durée n'existe pas.",
        "log_why_rpe": "le RPE va de 1 (très facile) à 10 (maximal).",
        "log_why_future": "ce jour est dans le futur ; notez la séance une fois faite.",
        "log_why_no_such_day": "cette date n'existe pas.",
        "log_why_distance": "cette distance n'est pas plausible.",
        "log_why_speed": "cela fait {speed_kmh} km/h, plus vite que quiconque en {sport} "
        "(au plus {limit_kmh} km/h). Vérifiez les chiffres, par ex. « couru 10 km en 52 min » "
        "ou « vélo 60 km en 2h ».",
        "log_why_twice": "je vois plus d'une durée ou distance ; je ne devine pas laquelle "
        "est la bonne.",
        "log_why_leftover": "je n'ai pas compris « {words} » ; je ne devine pas.",
        "log_confirm": "Enregistrer ceci ?\n{summary}",
        "btn_confirm": "Confirmer",
        "btn_cancel": "Annuler",
        "log_saved": "Enregistré : {summary}.",
        "log_cancelled": "Annulé ; rien n'a été enregistré.",
        "log_expired": "Cette saisie n'est plus en attente ; renvoyez /log.",
        "file_too_big": "Ce fichier fait {size} Mo ; la limite est {limit} Mo. Rien n'a été "
        "enregistré.",
        "file_bad_type": "J'importe les fichiers FIT, GPX et TCX (aussi .gz). « {name} » "
        "n'en est pas un.",
        "file_bad": "Je n'ai pas pu lire « {name} » : {reason} Rien n'a été enregistré.",
        "file_implausible": "Je n'ai pas importé « {name} » : {reason} Rien n'a été enregistré.",
        "implausible_too_old": "elle est datée du {day}, avant {earliest} : l'horloge de "
        "l'appareil n'était sans doute pas réglée.",
        "implausible_in_future": "elle est datée du {day}, dans le futur : l'horloge de "
        "l'appareil est sans doute fausse.",
        "implausible_too_long": "elle dure {hours} h ; aucun enregistrement ne dépasse {limit} h.",
        "implausible_too_fast": "sa moyenne de {speed_kmh} km/h est plus rapide que quiconque "
        "en {sport} (au plus {limit_kmh} km/h).",
        "implausible_heart_rate": "elle indique une fréquence cardiaque de {bpm} bpm ; celle "
        "d'un humain est entre {low} et {high}.",
        "implausible_power": "elle indique une puissance de {watts} W, hors de portée de tout "
        "cycliste (au plus {limit} W).",
        "implausible_bad_number": "certains de ses nombres ne sont pas des nombres réels.",
        "thresholds_assumed": "Aucun seuil n'était défini au {day} : calculé avec ceux saisis "
        "le {since}.",
        "metric_hr": "FC",
        "metric_weighted_power": "Puissance pondérée",
        "metric_intensity": "Intensité",
        "metric_elevation": "D+",
        "file_imported": "Importé : {summary}.",
        "file_duplicate": "Déjà reçu : {summary}.",
        "file_unavailable": "L'import de fichiers n'est pas encore disponible sur ce serveur.",
        "checkin_rpe": "C'était dur comment ? (RPE 1 = très facile, 10 = maximal)",
        "checkin_feel": "Comment vous sentiez-vous ?",
        "feel_1": "😣 très mal",
        "feel_2": "🙁 pas bien",
        "feel_3": "😐 correct",
        "feel_4": "🙂 bien",
        "feel_5": "😄 super",
        "checkin_pain": "Une douleur ou une gêne ?",
        "btn_pain": "Oui, une douleur",
        "btn_nopain": "Pas de douleur",
        "ask_pain_note": "Désolé. Où avez-vous mal ? (une courte note, ou Passer)",
        "checkin_saved": "Merci, c'est noté. Votre coach le verra.",
        "checkin_saved_solo": "Merci, c'est noté.",
        "fitness_reading": "Forme de fond {fitness:.0f} ({trend}), Fatigue {fatigue:.0f}, "
        "Fraîcheur {form:+.0f}.\n{advice}",
        "trend_up": "en hausse",
        "trend_down": "en baisse",
        "trend_flat": "stable",
        "advice_fresh": "Vous êtes frais : bon moment pour une séance dure ou une course.",
        "advice_ok": "Équilibré : l'entraînement porte ses fruits.",
        "advice_tired": "Vous accumulez de la fatigue : gardez les jours faciles faciles.",
        "advice_very_tired": "Fatigue élevée : envisagez un jour de récupération.",
        "no_history": "Aucun entraînement enregistré ; notez une séance ou envoyez un "
        "fichier et votre graphique se remplira.",
        "race_usage": "Donnez-moi la date de la course, ex. /race {example}.",
        "race_bad_date": "« {text} » n'est pas une date lisible ; écrivez-la comme {example}, "
        "20/12/2026 ou 20 déc.",
        "race_reading": "Le {day} : Forme de fond {fitness:.0f}, Fatigue {fatigue:.0f}, "
        "Fraîcheur {form:+.0f}.",
        "race_basis_plan": "Projection à partir de {so_far}, de votre plan jusqu'au {until}, "
        "puis de repos.",
        "race_basis_full": "Projection à partir de {so_far} et de votre plan jusqu'à ce jour.",
        "race_basis_rest": "Projection à partir de {so_far}, puis de repos : rien n'est prévu "
        "avant ce jour.",
        "race_so_far": "votre entraînement jusqu'ici",
        "race_so_far_none": "aucun entraînement enregistré",
        "race_no_advice": "Si loin après le plan, la projection ne fait que se reposer et la "
        "Fraîcheur monte toute seule : pas de conseil pour ce jour. Planifiez jusque-là pour "
        "une vraie lecture.",
        "race_no_data": "Rien à projeter pour le {day} : aucun entraînement enregistré ni "
        "prévu. Notez des séances ou envoyez des fichiers, puis redemandez.",
        "coach_usage": "Vous n'avez pas encore de coach. Demandez-lui un code d'invitation, "
        "puis envoyez /coach CODE.",
        "coach_joined": "Vous êtes maintenant suivi par {coach}. Il verra vos séances et "
        "pourra vous en planifier.",
        "coach_current": "Votre coach : {coach}.",
        "btn_leave": "Quitter le coach",
        "leave_confirm": "Ne plus être suivi par {coach} ? Il ne verra plus vos données.",
        "btn_leave_yes": "Oui, quitter",
        "left_coach": "C'est fait : vous n'êtes plus suivi par {coach}.",
        "coach_comment": "💬 {author} sur « {subject} » :\n",
        "btn_reply": "Répondre",
        "ask_reply": "Tapez votre réponse à {author} :",
        "reply_sent": "Réponse envoyée.",
        "settings_title": "Réglages",
        "settings_summary": "Unités : {units}\nFuseau : {tz}\nLangue : {lang}\n"
        "Rappels : matin {morning}, soir {evening}\nHeures calmes : {quiet}\n"
        "Seuils : {thresholds}",
        "off": "désactivé",
        "none": "aucun",
        "btn_units": "Unités",
        "btn_tz": "Fuseau",
        "btn_lang": "Langue",
        "btn_reminders": "Rappels",
        "btn_notifications": "Notifications",
        "btn_quiet": "Heures calmes",
        "btn_thresholds": "Seuils",
        "ask_reminder": "Rappels de séance (heure locale) : la veille au soir à {evening}, "
        "le matin même à {morning}. Touchez une heure pour la changer.",
        "remind_evening": "Soir",
        "remind_morning": "Matin",
        "notif_title": "Notifications : touchez pour passer de immédiat → résumé → désactivé.",
        "saved": "Enregistré.",
        "ask_quiet": "Heures calmes : aucun message dans cette plage (heure locale).",
        "connect": "La connexion à Strava, Garmin, Polar ou Coros n'est pas configurée sur "
        "ce serveur : son administrateur ajoute les identifiants de chaque service et une "
        "adresse publique. En attendant, envoyez vos fichiers (FIT, GPX, TCX) ou "
        "utilisez /log.",
        "connect_intro": "Connectez un compte et vos séances arrivent ici toutes seules. "
        "Chaque lien sert une fois, dans les 30 minutes.",
        "connect_active": "✅ {provider} : connecté",
        "connect_revoked": "🔌 {provider} : déconnecté",
        "btn_connect": "Connecter {provider}",
        "btn_disconnect": "Déconnecter {provider}",
        "disconnected": "{provider} est déconnecté : ses nouvelles séances n'arriveront plus. "
        "Envoyez /connect pour le reconnecter.",
        "not_connected": "Vous n'avez pas de connexion {provider} active.",
        "connect_code_ok": "✅ Code accepté : revenez à votre navigateur, il continue vers "
        "{provider}.",
        "connect_code_wrong": "Ce code ne correspond pas à la page ouverte par votre lien. "
        "Encore {left} essais ; vérifiez la page et renvoyez /connect avec son code.",
        "connect_code_none": "Aucune page de connexion n'attend de code. Envoyez /connect, "
        "ouvrez le lien, puis envoyez le code affiché par la page.",
        "btn_transfer_give": "Le donner à {name}",
        "btn_transfer_keep": "Le garder",
        "transfer_gone": "Cette demande n'est plus ouverte ; rien n'a changé.",
        "err_where_step": "Étape {step}",
        "field_sport": "Sport",
        "field_title": "Titre",
        "field_date": "Date",
        "field_steps": "Étapes",
        "part_duration": "la durée",
        "part_distance": "la distance",
        "part_kind": "le type d'étape",
        "part_target": "la cible",
        "part_note": "la note",
        "part_repeat": "le nombre de répétitions",
        "part_steps": "les étapes répétées",
        "part_": "cette étape",
        "err_title_missing": "Titre : donnez un titre à la séance.",
        "err_title_too_long_text": "Titre : {limit} caractères au plus.",
        "err_sport_unknown_sport": "Sport : « {value} » n'est pas un sport que je connais.",
        "err_date_missing": "Date : choisissez une date.",
        "err_steps_day_long": "Étapes : une séance dure entre une minute et une journée.",
        "err_steps_too_many_blocks": "Étapes : {limit} lignes au plus.",
        "err_bad_line": "Étapes, ligne {line} : « {text} » n'est pas une étape. Écrivez par "
        "exemple « 10min warmup » ou « 4x(3min interval @ 105-110% power, 2min recovery) ».",
        "err_extent": "{where} : indiquez une durée ou une distance, pas les deux.",
        "err_missing": "{where} : {part} manque.",
        "err_unknown_part": "{where} : « {name} » ne fait pas partie d'une étape.",
        "err_choice": "{where} : {part} doit être parmi {limit}.",
        "err_too_small": "{where} : {part} doit dépasser {limit}.",
        "err_at_least": "{where} : {part} doit valoir au moins {limit}.",
        "err_too_large": "{where} : {part} doit valoir au plus {limit}.",
        "err_too_few": "{where} : {part} demande au moins {limit}.",
        "err_too_many": "{where} : {part} permet au plus {limit}.",
        "err_too_long_text": "{where} : {part} a {limit} caractères au plus.",
        "err_number": "{where} : {part} doit être un nombre.",
        "err_shape": "{where} : ce n'est pas une étape ; écrivez par exemple « 10min warmup ».",
        "err_target_order": "{where} : la valeur haute de la cible doit atteindre la basse.",
        "err_target_percent": "{where} : une cible au-delà de 250 % du seuil n'est pas plausible.",
        "err_rpe_range": "{where} : les cibles RPE vont de 1 à 10.",
        "err_invalid": "{where} : {part} n'est pas valide.",
        "calendar": "Votre lien de calendrier privé (gardez-le pour vous ; ajouté à Google "
        "ou Apple Agenda, il reste à jour) :\n",
        "calendar_unavailable": "Le lien de calendrier n'est pas encore disponible sur ce serveur.",
        "calendar_unshowable": "Votre lien de calendrier est actif, mais il date d'avant les "
        "liens que l'on peut réafficher. « Nouveau lien » vous en donne un à garder "
        "(l'ancien cesse de fonctionner).",
        "calendar_off": "Votre lien de calendrier est désactivé : il ne s'ouvre plus et les "
        "agendas abonnés ne se mettent plus à jour. Envoyez /calendar pour en avoir un nouveau.",
        "btn_calendar_new": "Nouveau lien (l'ancien cesse de fonctionner)",
        "btn_calendar_off": "Désactiver",
        "link_code": "Votre code de liaison : {code} (usage unique, valable {minutes} "
        "minutes).\nDans Slack, envoyez /trainlytics link {code} pour que votre compte Slack "
        "et ce chat soient une seule personne.",
        "link_done": "Lié : ce chat et votre compte Slack sont maintenant une seule personne, "
        "{name}.",
        "link_done_coach": "Lié : ce chat et votre compte Slack sont maintenant une seule "
        "personne, {name}. Vos commandes de coach marchent ici aussi (/help).",
        "link_unknown": "Ce code de liaison est inconnu, déjà utilisé ou expiré. Créez-en un "
        "nouveau avec /trainlytics link dans Slack.",
        "link_too_many": "Trop de codes erronés : réessayez dans {minutes} min.",
        "link_both_have_history": "Les deux comptes ont déjà leur propre historique "
        "d'entraînement ou de coaching ; les réunir mélangerait deux personnes, rien n'a "
        "été modifié.",
        "calendar_local": "Votre calendrier privé, sur l'ordinateur où tourne Trainlytics "
        "(gardez-le pour vous) :\n{url}\n"
        "Pour l'ouvrir de partout, le serveur a besoin d'une adresse publique "
        "(TRAINLYTICS_PUBLIC_URL).",
        "kind_coach_comment": "Commentaires du coach",
        "kind_reminder": "Rappels de séance",
        "kind_weekly_summary": "Bilan hebdomadaire",
        "kind_check_in": "Ressentis",
        "kind_new_plan": "Nouveaux plans",
        "kind_workout_changed": "Séances modifiées",
        "mode_instant": "immédiat",
        "mode_digest": "résumé",
        "mode_off": "désactivé",
        "n_new_plan": "📅 {coach} vous a planifié de nouvelles séances. /week les montre.",
        "n_workout_moved_athlete": "📅 {athlete} a déplacé « {title} » du {day} au {to}.",
        "n_workout_moved_coach": "📅 Votre coach a déplacé « {title} » du {day} au {to}.",
        "n_workout_moved_to_athlete": "📅 {athlete} a déplacé « {title} » au {to}.",
        "n_workout_moved_to_coach": "📅 Votre coach a déplacé « {title} » au {to}.",
        "n_workout_scaled_athlete": "📅 « {title} » de {athlete} fait maintenant {pct} % de sa "
        "durée prévue.",
        "n_workout_scaled_coach": "📅 Votre coach a réglé « {title} » à {pct} % de sa durée "
        "prévue.",
        "n_check_in": "✍ {athlete} sur « {title} » :",
        "n_workout_completed": "✅ {athlete} a terminé « {title} ».",
        "n_activity_recorded": "🏃 {athlete} a enregistré {summary}.",
        "n_reminder": "⏰ Prévu aujourd'hui :",
        "n_weekly": "Votre semaine : charge {done:.0f} faite sur {planned:.0f} prévue.",
        "n_digest": "Votre résumé :",
        "n_digest_line": "  • {label} : {count}",
        "n_sync": "Synchronisation : {message}",
        "n_relationship": "{message}",
        "n_athlete_comment": "💬 {author} a répondu sur « {subject} » :\n",
        "n_reminder_evening": "⏰ Prévu demain :",
        "n_reminder_nothing": "⏰ Plus rien à faire pour {day} : tout est fait ou déplacé.",
        "n_workout_skipped": "⏭ {athlete} a sauté « {title} ».",
        "n_new_plan_named": "📅 Nouveau plan « {name} » à partir du {start} : {workouts}. "
        "/week les montre.",
        "n_new_plan_from": "📅 {coach} vous a donné un nouveau plan, « {name} », à partir du "
        "{start} : {workouts}. /week les montre.",
        "n_workouts_one": "1 séance",
        "n_workouts_many": "{count} séances",
        "n_new_workout": "📅 {coach} vous a planifié une séance :",
        "n_weekly_title": "Votre semaine du {first} au {last}",
        "n_weekly_sessions": "{count} séances · {time} · {distance} · charge {load:.0f}",
        "n_weekly_plan": "Plan : {done} séances faites sur {planned}",
        "n_weekly_fitness": "Forme de fond {fitness:.0f} · Fatigue {fatigue:.0f} · "
        "Fraîcheur {form:+.0f}",
        "dg_title": "Athlètes à suivre, {day}",
        "dg_count": "{count} athlète(s) demandent votre attention :",
        "dg_missed": "séance clé manquée « {title} » ({day})",
        "dg_pain": "douleur signalée",
        "dg_low_form": "très fatigué (Fraîcheur {form:+.0f})",
        "dg_never_synced": "aucune séance enregistrée",
        "dg_no_sync": "rien d'enregistré depuis {days} jours",
        "dg_low_compliance": "{pct:.0f} % du plan suivi cette semaine",
        "n_sync_revoked": "🔌 {provider} est déconnecté : les nouvelles séances n'arriveront "
        "plus. Envoyez {command} pour le reconnecter.",
        "n_sync_data_deleted": "🗑 Vous avez retiré Trainlytics chez {provider} : comme "
        "l'exigent les conditions de {provider}, les {count} activités importées de {provider} "
        "ont été supprimées ici. Les séances venues de fichiers et d'autres services restent. "
        "Envoyez {command} pour le reconnecter.",
        "n_sync_delayed": "⏳ {provider} répond lentement ; vos séances arriveront un peu plus "
        "tard. Rien n'est perdu.",
        "n_sync_requested": "🔄 {provider} prépare votre historique ; je vous tiens au courant.",
        "n_sync_progress": "🔄 {provider} : {done} activités importées sur {total}…",
        "n_sync_finished": "✅ {provider} : {done} activités importées sur {total}. Terminé.",
        "n_sync_deleted": "🗑 « {name} » ({day}) a été supprimée à la source ; ici aussi.",
        "n_sync_updated": "✏ « {name} » ({day}) a été mise à jour depuis la source.",
        "n_transfer_ask": "⚠ {other} a connecté un compte {provider} qui vous est relié "
        "ici. S'il est à vous et que vous ne l'avez pas donné, gardez-le. Rien ne change "
        "sans votre choix.",
        "n_transfer_waiting": "⏳ Ce compte {provider} est déjà relié à {other}. Je lui ai "
        "demandé ; rien ne change sans son accord.",
        "n_transfer_moved_owner": "🔁 Votre compte {provider} se synchronise désormais "
        "avec {other} ; vos séances passées restent les vôtres.",
        "n_transfer_moved_newcomer": "✅ {other} a accepté : {provider} est connecté à "
        "vous. J'importe vos séances récentes.",
        "n_transfer_kept_owner": "✅ Votre compte {provider} reste le vôtre ; {other} est prévenu.",
        "n_transfer_kept_newcomer": "🚫 {other} a gardé le compte {provider} : il n'a pas "
        "été connecté à vous.",
        "n_relationship_joined": "🤝 {athlete} vous a rejoint : vous êtes maintenant son coach.",
        "n_relationship_other": "Votre suivi de coaching a changé.",
        "n_generic": "Vous avez du nouveau sur Trainlytics.",
        "kind_athlete_comment": "Réponses des athlètes",
        "kind_workout_completed": "Séances terminées",
        "kind_activity_recorded": "Nouvelles séances",
        "kind_coach_digest": "Résumé du coach",
        "kind_sync_status": "Synchronisation",
        "kind_relationship": "Coaching",
        # --- commandes du coach (/roster, /athlete, /invite, /comment, /digest) ---
        "help_coach": "Pour les coachs\n"
        "/roster – vos athlètes en un coup d'œil\n"
        "/athlete NOM – la semaine face au plan, Forme de fond/Fatigue/Fraîcheur, "
        "dernières séances, prochaines séances, alertes\n"
        "/invite – un code d'invitation (et un lien) à donner à un nouvel athlète\n"
        "/comment NOM TEXTE – commenter la dernière séance de l'athlète\n"
        "/digest – qui demande votre attention aujourd'hui",
        "coach_only": "/{command} est réservé aux coachs. Pour coacher, envoyez /start et "
        "choisissez Coach (ou Les deux pour continuer à vous entraîner) ; vos athlètes vous "
        "rejoignent ensuite avec le code de /invite.",
        "roster_title": "Vos athlètes ({count})",
        "roster_empty": "Vous n'avez pas encore d'athlète. /invite vous donne un code à lui "
        "transmettre.",
        "roster_line": "{compliance} · {form} · {flags}",
        "roster_no_plan": "aucune séance due",
        "roster_form": "Fraîcheur {form:+.0f}",
        "roster_no_form": "pas encore de charge",
        "roster_ok": "✅ tout va bien",
        "roster_flags": "⚠ {count} alerte(s)",
        "roster_not_shared": "🔒 non partagé : garde ses activités pour lui",
        "roster_hint": "Touchez un nom, ou envoyez /athlete NOM.",
        "athlete_usage": "Quel athlète ? Par exemple /athlete Ana ; /roster les liste.",
        "ath_title": "{name} · semaine du {day}",
        "ath_week": "Plan : {done} séances faites sur {planned} dues ({compliance}). "
        "Charge {load:.0f} sur {planned_load:.0f} prévue cette semaine.",
        "ath_load": "Forme de fond {fitness:.0f} · Fatigue {fatigue:.0f} · Fraîcheur {form:+.0f}",
        "ath_no_load": "Aucune charge d'entraînement enregistrée.",
        "ath_recent": "Dernières séances :",
        "ath_upcoming": "Prochaines séances :",
        "ath_flags": "À surveiller :",
        "ath_no_flags": "Rien ne demande votre attention.",
        "ath_none": "  aucune",
        "invite_code": "Code d'invitation : {code} (usage unique, valable 7 jours).\n"
        "L'athlète envoie /coach {code} au bot Trainlytics sur Telegram.",
        "invite_link": "Ou il ouvre ce lien : ",
        "comment_usage": "Dites-moi à qui et quoi, ex. /comment Ana Belle semaine !",
        "comment_sent": "Envoyé à {name} sur {subject}.",
        "subject_activity": "sa séance « {name} » du {day}",
        "subject_workout": "la séance « {title} » du {day}",
        "digest_none": "Personne ne demande votre attention aujourd'hui. 🎉",
    },
}

SPORT_NAMES = {
    "en": {},
    "fr": {
        "run": "course",
        "trail_run": "trail",
        "ride": "vélo",
        "virtual_ride": "vélo virtuel",
        "swim": "natation",
        "open_water_swim": "eau libre",
        "row": "aviron",
        "walk": "marche",
        "hike": "randonnée",
        "ski": "ski",
        "strength": "renforcement",
        "other": "autre",
    },
}


def say(locale: str, key: str, **values: object) -> str:
    table = STRINGS.get(locale, STRINGS["en"])
    template = table.get(key) or STRINGS["en"][key]
    return template.format(**values) if values else template


def sport_name(locale: str, sport: str) -> str:
    return SPORT_NAMES.get(locale, {}).get(sport) or sport.replace("_", " ")
