"""GB 32100-2015: the check character catches every single-character error."""

from hypothesis import given
from hypothesis import strategies as st
from rights_api.holders.credit_code import (
    AUTHORITIES,
    CHARSET,
    check_character,
    credit_code_problem,
)

bodies = st.tuples(
    st.sampled_from(AUTHORITIES),
    st.sampled_from(CHARSET),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=CHARSET, min_size=9, max_size=9),
).map("".join)


@given(bodies)
def test_a_code_with_its_check_character_is_valid(first17):
    assert credit_code_problem(first17 + check_character(first17)) is None


@given(bodies, st.integers(min_value=0, max_value=17), st.sampled_from(CHARSET))
def test_changing_any_one_character_is_caught(first17, position, replacement):
    code = first17 + check_character(first17)
    altered = code[:position] + replacement + code[position + 1 :]
    if altered != code:
        assert credit_code_problem(altered) is not None


def test_real_codes_from_the_register():
    assert credit_code_problem("91110000710925462X") is None  # 中国石油天然气股份有限公司
    assert credit_code_problem("91350100M000100Y43") is None  # a widely published sample code
