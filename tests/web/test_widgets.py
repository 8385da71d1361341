"""The long-list select writes exactly what WTForms' own select writes, only faster."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from wtforms import Form, SelectField

from web.widgets import LongSelect

labels = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)


@given(st.lists(labels, min_size=1, max_size=6), st.data())
def test_long_select_writes_what_wtforms_select_writes(names, data):
    choices = list(enumerate(names))
    chosen = data.draw(st.sampled_from([None, *range(len(names))]))

    class Both(Form):
        plain = SelectField(choices=choices, coerce=int)
        long = SelectField(choices=choices, coerce=int, widget=LongSelect())

    form = Both(data={"plain": chosen, "long": chosen})
    assert str(form.long()) == str(form.plain()).replace(
        'id="plain" name="plain"', 'id="long" name="long"'
    )
