"""Controls that do not apply say so (issue #16): callbacks/access.py as plain functions."""

import pytest

from callbacks.access import CUT_HEIGHT_HELP, cut_height_field
from hclust.cut import CRITERION_DESCRIPTIONS, HORIZONTAL_CRITERIA


class TestCutHeightField:
    @pytest.mark.parametrize("criterion", sorted(HORIZONTAL_CRITERIA))
    def test_a_height_criterion_leaves_the_field_on(self, criterion):
        assert cut_height_field(criterion) == (False, CUT_HEIGHT_HELP)

    @pytest.mark.parametrize(
        "criterion", sorted(set(CRITERION_DESCRIPTIONS) - set(HORIZONTAL_CRITERIA))
    )
    def test_another_criterion_disables_it_and_says_why(self, criterion):
        disabled, help_text = cut_height_field(criterion)
        assert disabled is True
        assert criterion in help_text and "no single height" in help_text
