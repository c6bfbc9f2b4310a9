"""A house with issued invoices stays where its invoices say it is."""

import pytest
from django.core.exceptions import ValidationError

from tests.database_guards import draft, issue
from tests.factories import CommunityFactory, SettlementPeriodFactory, TariffFactory

pytestmark = pytest.mark.django_db

KEEPS = "house_1 has issued invoices: it keeps its community and its house ID"


@pytest.fixture
def period():
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    return SettlementPeriodFactory(community=community)


@pytest.fixture
def invoiced_house(period):
    return issue(draft(period)).house


def test_an_invoiced_house_cannot_move_to_another_community(invoiced_house):
    invoiced_house.community = CommunityFactory(slug="elsewhere")

    with pytest.raises(ValidationError, match=KEEPS):
        invoiced_house.save()


def test_an_invoiced_house_cannot_change_its_house_id(invoiced_house):
    invoiced_house.house_id = "house_9"

    with pytest.raises(ValidationError, match=KEEPS):
        invoiced_house.save()


def test_the_house_form_says_why_before_saving(invoiced_house):
    invoiced_house.house_id = "house_9"

    with pytest.raises(ValidationError, match=KEEPS):
        invoiced_house.full_clean()


def test_an_invoiced_house_still_changes_its_owner(invoiced_house):
    invoiced_house.owner_name = "Neue Eigentümerin"
    invoiced_house.full_clean()
    invoiced_house.save()

    invoiced_house.refresh_from_db()
    assert invoiced_house.owner_name == "Neue Eigentümerin"


def test_a_house_with_drafts_only_can_move(period):
    house = draft(period).house
    house.house_id = "house_9"
    house.save()

    house.refresh_from_db()
    assert house.house_id == "house_9"


@pytest.mark.parametrize(
    ("note", "message"),
    [("\n".join(["Satz."] * 5), "has 5 lines; an invoice prints at most 4"), ("x" * 401, "at most 400 characters")],
)
def test_a_legal_note_longer_than_an_invoice_holds_is_refused(note, message):
    community = CommunityFactory.build(legal_note=note)

    with pytest.raises(ValidationError, match=message):
        community.full_clean(exclude=["slug"])
