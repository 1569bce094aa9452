"""Efficiency factor and aerobic decoupling (output per heartbeat, first vs second half)."""

from __future__ import annotations


def efficiency_factor(output: float | None, avg_hr: float | None) -> float | None:
    """Output (weighted power in W, or speed in m/min) per bpm of average HR."""
    if output is None or not avg_hr:
        return None
    return output / avg_hr


def decoupling_pct(
    first_output: float | None,
    first_hr: float | None,
    second_output: float | None,
    second_hr: float | None,
) -> float | None:
    """(r₁ − r₂) / r₁ × 100 with r = output / HR per half; positive = HR drifted up."""
    r1 = efficiency_factor(first_output, first_hr)
    r2 = efficiency_factor(second_output, second_hr)
    if r1 is None or r2 is None or r1 == 0:
        return None
    return (r1 - r2) / r1 * 100.0
