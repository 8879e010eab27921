"""Group names as spreadsheets write them, matched to the configured race/ethnicity groups."""

from __future__ import annotations

import pytest

from equity_tracking.group_names import ConfiguredGroup, GroupMatcher, GroupNameError, normalized
from equity_tracking.reference import RACE_GROUPS

GROUPS = [ConfiguredGroup(number, group.key, group.name) for number, group in enumerate(RACE_GROUPS, start=1)]
IDS = {group.key: group.id for group in GROUPS}


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Black or African American", "black_african_american"),
        ("Black", "black_african_american"),
        ("African American", "black_african_american"),
        ("BLACK", "black_african_american"),
        ("  black / african-american ", "black_african_american"),
        ("Hispanic or Latino", "hispanic_latino"),
        ("Latinx", "hispanic_latino"),
        ("Latino/a", "hispanic_latino"),
        ("Native Hawaiian & Other Pacific Islander", "native_hawaiian_pacific_islander"),
        ("AI/AN", "american_indian_alaska_native"),
        ("Two or More Races", "multiracial"),
        ("Prefer not to say", "unknown_declined"),
        ("people_of_color", "people_of_color"),
        ("Asian", "asian"),
    ],
)
def test_a_group_is_known_by_its_name_its_key_and_the_names_people_use(written, key):
    assert GroupMatcher(GROUPS).match(written) == IDS[key]


def test_a_name_that_matches_nothing_lists_the_configured_groups():
    with pytest.raises(GroupNameError) as refused:
        GroupMatcher(GROUPS).match("Martian")
    message = str(refused.value)
    assert message.startswith(
        "“Martian” is not one of the race/ethnicity groups: American Indian or Alaska Native;"
    )
    assert all(group.name in message for group in RACE_GROUPS)


def test_a_name_that_could_mean_two_groups_is_refused_not_guessed():
    # Two groups that share a name: the name is refused, never filed under whichever comes first.
    groups = [ConfiguredGroup(1, "a", "Alpha"), ConfiguredGroup(2, "b", "Beta")]
    matcher = GroupMatcher(groups, aliases={"a": ("First",), "b": ("first",)})
    with pytest.raises(GroupNameError, match="could mean Alpha and Beta"):
        matcher.match("FIRST")


def test_names_are_compared_without_case_accents_spacing_or_punctuation():
    assert normalized("  Latiné / Hispanic  ") == "latine hispanic"
    assert normalized("Black_African-American") == "black african american"
    assert normalized("2+ races") == "2+ races"
