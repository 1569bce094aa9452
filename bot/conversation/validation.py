"""Field-by-field refusals (`core.errors.InvalidFields`) as sentences in the person's
language, each naming the field and, in a workout's steps, the step and its part.

Every door shows them the same way: the chat replies with all sentences, the Slack plan
modal shows each under its own field (`field_errors`).
"""

from __future__ import annotations

from core.errors import DomainError, InvalidFields, Problem
from core.words import has_key, say


def problem_sentence(locale: str, problem: Problem) -> str:
    """One problem as a sentence: a field's own wording first ("err_title_missing"),
    else the general one, placed at its step ("Step 2: the duration is missing.")."""
    specific = f"err_{problem.field}_{problem.code}"
    if has_key(specific):
        return say(locale, specific, **problem.params)
    where = (
        say(locale, "err_where_step", step=problem.step)
        if problem.step
        else say(locale, f"field_{problem.field}")
    )
    part = say(locale, f"part_{problem.part}") if has_key(f"part_{problem.part}") else ""
    values = {"limit": "", "name": "", "line": "", "text": "", "value": ""} | problem.params
    key = f"err_{problem.code}" if has_key(f"err_{problem.code}") else "err_invalid"
    return say(locale, key, where=where, part=part or say(locale, "part_"), **values)


def field_errors(locale: str, exc: InvalidFields) -> dict[str, str]:
    """Field -> its sentences, for a form that shows each error under its field."""
    out: dict[str, list[str]] = {}
    for problem in exc.problems:
        out.setdefault(problem.field, []).append(problem_sentence(locale, problem))
    return {field: " ".join(sentences) for field, sentences in out.items()}


def refusal_text(locale: str, exc: DomainError) -> str:
    """What a person reads for a refused request."""
    if isinstance(exc, InvalidFields):
        return " ".join(problem_sentence(locale, p) for p in exc.problems)
    return exc.text(locale)


def form_errors(locale: str, exc: DomainError, main: str) -> dict[str, str]:
    """A refused form's sentences by field; a refusal about no field goes under `main`."""
    if isinstance(exc, InvalidFields):
        return field_errors(locale, exc)
    return {main: refusal_text(locale, exc)}
