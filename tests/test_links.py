from django.urls import reverse

from tasks.links import link_maker


def test_a_made_link_equals_the_reversed_one():
    unit_url = link_maker("targets:unit-detail")
    value_url = link_maker("reports:record-detail", "value")
    for pk in (1, 42, 987654321, 10**12):
        assert unit_url(pk) == reverse("targets:unit-detail", args=[pk])
        assert value_url(pk) == reverse("reports:record-detail", args=["value", pk])
