"""Colours and font sizes shared by the charts, sized for a phone screen.

A 1080 px wide PNG is shown about 400 CSS px wide on a phone, so text is drawn
large (14 pt at 150 dpi ≈ 29 px ≈ 11 CSS px on screen).
"""

from __future__ import annotations

from matplotlib.font_manager import FontProperties

BACKGROUND = "#ffffff"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"

LOAD = "#7b8794"
PLANNED = "#3e8ed0"
FITNESS = "#1f5fbf"
FATIGUE = "#d64545"
FORM = "#e8a317"
TODAY = "#323f4b"

GREEN = "#2f9e44"
YELLOW = "#f0b429"
RED = "#d64545"
NO_PLAN = "#9aa5b1"
GREEN_BAND = "#e3f4e6"
YELLOW_BAND = "#fdf3d7"
RED_BAND = "#fbe4e4"

# Built once: resolving a font family per text object is measurable per chart.
TITLE_FONT = FontProperties(family="DejaVu Sans", size=20, weight="bold")
LABEL_FONT = FontProperties(family="DejaVu Sans", size=15)
TICK_FONT = FontProperties(family="DejaVu Sans", size=14)
SMALL_FONT = FontProperties(family="DejaVu Sans", size=13)
LEGEND_FONT = FontProperties(family="DejaVu Sans", size=15)
EMPTY_FONT = FontProperties(family="DejaVu Sans", size=22, weight="bold")
