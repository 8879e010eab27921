"""Every judgement the analytics can give, with the words, icon and colour people see for it.

Owns the state keys that the analytics frames carry (``health``, ``trend``, ``projection``,
``disparity_state``, action statuses, freshness), and for each one a display label, a plain-text
icon, a Material icon name (Streamlit's ``:material/…:``) and a colour. Pages show a status as icon
plus label, never by colour alone, and take every colour from :data:`PALETTE`, the Okabe–Ito palette,
which stays distinguishable under the common forms of colour blindness.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

# Icons are plain characters that the DejaVu fonts (installed with Debian's Chromium) can draw;
# several pictographs (e.g. ⏸, ⌛) are missing from them and render as empty boxes.
# Okabe & Ito (2008), "Color Universal Design": eight colours that people with protanopia,
# deuteranopia or tritanopia can still tell apart. Hex codes are the published values.
PALETTE = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
        "grey": "#999999",
    }
)

# Ordered list for categorical charts (e.g. one colour per race/ethnicity group); black and yellow
# come last because black reads as "no category" and yellow has low contrast on white.
CATEGORICAL_COLOURS = (
    PALETTE["blue"],
    PALETTE["orange"],
    PALETTE["bluish_green"],
    PALETTE["vermillion"],
    PALETTE["sky_blue"],
    PALETTE["reddish_purple"],
    PALETTE["grey"],
    PALETTE["yellow"],
    PALETTE["black"],
)


@dataclass(frozen=True)
class StateStyle:
    """How one state is shown: ``f"{icon} {label}"`` in text, ``material`` in Streamlit widgets."""

    label: str
    icon: str
    material: str
    colour: str
    description: str


CANNOT_JUDGE = "cannot_judge"

_CANNOT_JUDGE_STYLE = StateStyle(
    "Cannot be judged", "?", "help", PALETTE["grey"], "The data cannot support a judgement; see the reason."
)

HEALTH = MappingProxyType(
    {
        "achieved": StateStyle(
            "Achieved", "★", "star", PALETTE["blue"], "The latest value has reached the target."
        ),
        "on_track": StateStyle(
            "On track",
            "✓",
            "check_circle",
            PALETTE["bluish_green"],
            "At least 95 % of the progress expected by now.",
        ),
        "behind": StateStyle(
            "Behind",
            "!",
            "warning",
            PALETTE["orange"],
            "Between 85 % and 95 % of the progress expected by now.",
        ),
        "at_risk": StateStyle(
            "At risk", "✕", "error", PALETTE["vermillion"], "Less than 85 % of the progress expected by now."
        ),
        "missed": StateStyle(
            "Missed target",
            "⊘",
            "block",
            PALETTE["vermillion"],
            "The target period has been reported, and the target was not reached.",
        ),
        "out_of_date": StateStyle(
            "Out of date",
            "◷",
            "hourglass_bottom",
            PALETTE["sky_blue"],
            "The latest value is older than the measure's reporting frequency allows: it is not judged "
            "on track until the bureau reports again.",
        ),
        "awaiting_final": StateStyle(
            "Final value due",
            "◌",
            "pending",
            PALETTE["sky_blue"],
            "The target period has ended; its value is not in yet, and not late.",
        ),
        "not_started": StateStyle(
            "Not started",
            "○",
            "radio_button_unchecked",
            PALETTE["reddish_purple"],
            "Nothing has been reported after the baseline.",
        ),
        "tracked": StateStyle(
            "Tracked, not judged",
            "◇",
            "visibility",
            PALETTE["grey"],
            "The measure has no better direction (for example the number of employees), so it is "
            "reported but not judged.",
        ),
        "no_data": StateStyle("No data", "–", "remove", PALETTE["grey"], "Nothing has been reported."),
        CANNOT_JUDGE: _CANNOT_JUDGE_STYLE,
    }
)

TREND = MappingProxyType(
    {
        "improving": StateStyle(
            "Improving", "▲", "trending_up", PALETTE["bluish_green"], "Moved in the better direction."
        ),
        "worsening": StateStyle(
            "Worsening", "▼", "trending_down", PALETTE["vermillion"], "Moved in the worse direction."
        ),
        "no_change": StateStyle("No change", "▶", "trending_flat", PALETTE["grey"], "Stayed the same."),
        # Neutral measures have no better direction: say which way they moved, not whether it is good.
        "rising": StateStyle(
            "Rising", "↑", "arrow_upward", PALETTE["sky_blue"], "Went up (no better direction)."
        ),
        "falling": StateStyle(
            "Falling", "↓", "arrow_downward", PALETTE["sky_blue"], "Went down (no better direction)."
        ),
        CANNOT_JUDGE: _CANNOT_JUDGE_STYLE,
    }
)

PROJECTION = MappingProxyType(
    {
        "yes": StateStyle(
            "Projected to meet target",
            "✓",
            "check_circle",
            PALETTE["bluish_green"],
            "The trend reaches the target.",
        ),
        "no": StateStyle(
            "Not projected to meet target", "✕", "cancel", PALETTE["vermillion"], "The trend falls short."
        ),
        "not_enough_data": StateStyle(
            "Not enough data", "–", "remove", PALETTE["grey"], "Too few values to fit a trend."
        ),
        "final": StateStyle(
            "Final value reported",
            "■",
            "flag",
            PALETTE["grey"],
            "The target period has been reported, so there is nothing left to forecast.",
        ),
        CANNOT_JUDGE: _CANNOT_JUDGE_STYLE,
    }
)

DISPARITY = MappingProxyType(
    {
        "judged": StateStyle(
            "Scored",
            "≠",
            "balance",
            PALETTE["blue"],
            "The equity score compares the best- and worst-off groups.",
        ),
        CANNOT_JUDGE: _CANNOT_JUDGE_STYLE,
    }
)

ACTION_STATUS = MappingProxyType(
    {
        "not_started": StateStyle(
            "Not started", "○", "radio_button_unchecked", PALETTE["grey"], "Work has not begun."
        ),
        "on_track": StateStyle("On track", "✓", "check_circle", PALETTE["bluish_green"], "Going as planned."),
        "some_disruption": StateStyle(
            "Some disruption", "!", "warning", PALETTE["orange"], "Delayed or changed, still under way."
        ),
        "major_disruption": StateStyle(
            "Major disruption", "✕", "error", PALETTE["vermillion"], "Seriously delayed or blocked."
        ),
        "completed": StateStyle("Completed", "★", "task_alt", PALETTE["blue"], "Done."),
        "overdue": StateStyle(
            "Overdue",
            "◷",
            "hourglass_bottom",
            PALETTE["vermillion"],
            "Past its due date and not completed, whatever status the bureau last reported.",
        ),
        "deferred": StateStyle(
            "Deferred", "↷", "pause_circle", PALETTE["reddish_purple"], "Put off to a later plan or year."
        ),
    }
)

FRESHNESS = MappingProxyType(
    {
        "current": StateStyle(
            "Current", "✓", "update", PALETTE["bluish_green"], "Updated within its frequency."
        ),
        "update_overdue": StateStyle(
            "Update overdue",
            "◷",
            "hourglass_bottom",
            PALETTE["vermillion"],
            "Not updated within its frequency.",
        ),
        "ended": StateStyle(
            "Ended", "■", "stop_circle", PALETTE["grey"], "No longer reported; history kept."
        ),
        "complete": StateStyle(
            "Complete",
            "■",
            "flag",
            PALETTE["grey"],
            "Reported through its target period; no further values are expected.",
        ),
    }
)

# Display order for counts and legends: best news first, then the problems, then the unknowns.
FRESHNESS_ORDER = ("current", "update_overdue", "complete", "ended")
HEALTH_ORDER = (
    "achieved",
    "on_track",
    "behind",
    "at_risk",
    "missed",
    "out_of_date",
    "awaiting_final",
    "not_started",
    "tracked",
    "no_data",
    CANNOT_JUDGE,
)
# Health states that judge progress against the plan (the others say why there is no judgement).
JUDGED_HEALTH = ("achieved", "on_track", "behind", "at_risk", "missed")
ACTION_STATUS_ORDER = (
    "completed",
    "on_track",
    "some_disruption",
    "major_disruption",
    "overdue",
    "not_started",
    "deferred",
)


def labels(styles: MappingProxyType) -> dict[str, str]:
    """``{state: label}`` for ``Series.map``."""
    return {key: style.label for key, style in styles.items()}


def icons(styles: MappingProxyType) -> dict[str, str]:
    """``{state: icon}`` for ``Series.map``."""
    return {key: style.icon for key, style in styles.items()}


def colours(styles: MappingProxyType) -> dict[str, str]:
    """``{state: hex colour}`` for chart scales."""
    return {key: style.colour for key, style in styles.items()}
