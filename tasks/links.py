"""Links for long lists: reverse a URL pattern once, then fill in each row's id.

django.urls.reverse costs tens of microseconds; a page listing thousands of records (every
county's figures, every co-unit of a task) would spend most of its time in it.
"""

from collections.abc import Callable

from django.urls import reverse

_MARK = "987654321"


def link_maker(viewname: str, *args) -> Callable[[int], str]:
    """A function from a primary key to the URL of `viewname` with `args` and that key last."""
    template = reverse(viewname, args=[*args, int(_MARK)])
    head, tail = template.rsplit(_MARK, 1)
    return lambda pk: f"{head}{int(pk)}{tail}"
