"""Who may do what: the groups "Community manager" and "Auditor", and memberships of communities.

A group says what a user may do; the user's communities (``CommunityManager``) say where. Both are
needed: the admin shows a staff user only the objects of their communities (``core.admin_scoping``).
Permissions are named by ``app_label.codename`` so this module imports none of the apps above it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Community, CommunityManager

MANAGER_GROUP = "Community manager"
AUDITOR_GROUP = "Auditor"

# What a community's staff see (the Auditor group holds exactly these).
VIEWED = {
    "communities": ["community", "house"],
    "metering": ["meterreading", "meterchange", "importjob"],
    "invoicing": [
        "tariff",
        "settlementperiod",
        "invoice",
        "invoicenumbercounter",
        "cancellationnote",
        "lifecycleevent",
        "payment",
    ],
}
# What a manager also writes. Forcing a period with missing readings ("invoicing.force_period") is
# deliberately not in the group: a superuser grants it to the few who may.
MANAGED = [
    "communities.change_community",
    *(f"communities.{action}_house" for action in ("add", "change", "delete")),
    *(f"metering.{action}_meterreading" for action in ("add", "change", "delete")),
    *(f"metering.{action}_meterchange" for action in ("add", "change", "delete")),
    *(f"invoicing.{action}_tariff" for action in ("add", "change", "delete")),
    "invoicing.add_settlementperiod",
    "invoicing.change_settlementperiod",
    "invoicing.change_invoice",
    "invoicing.delete_invoice",
    "invoicing.close_period",
    "invoicing.cancel_invoice",
    "invoicing.record_payment",
]


def viewed_permissions() -> list[str]:
    return [f"{app}.view_{model}" for app, models in VIEWED.items() for model in models]


def group_permissions() -> dict[str, list[str]]:
    return {AUDITOR_GROUP: viewed_permissions(), MANAGER_GROUP: [*viewed_permissions(), *MANAGED]}


def groups_ensure(*, group_model=Group, permission_model=Permission) -> dict[str, Group]:
    """Create or complete both groups with their permissions; permissions not yet created are skipped.

    Takes the models so a data migration can pass its historical ones.
    """
    groups = {}
    for name, names in group_permissions().items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = [tuple(name.split(".")) for name in names]
        permissions = [
            permission
            for permission in permission_model.objects.filter(
                codename__in=[codename for _, codename in wanted]
            ).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.add(*permissions)
        groups[name] = group
    return groups


@transaction.atomic
def community_manager_add(
    *, username: str, community_slug: str, auditor: bool = False
) -> tuple[CommunityManager, bool]:
    """Make ``username`` a manager (or auditor) of the community: staff, in the right group, a member.

    Idempotent: running it again changes nothing; a different role updates the membership and group.
    Returns the membership and whether it was created.
    """
    user = get_user_model().objects.get(username=username)
    community = Community.objects.get(slug=community_slug)
    membership, created = CommunityManager.objects.update_or_create(
        user=user, community=community, defaults={"is_auditor": auditor}
    )
    memberships_groups_sync(user=user)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership, created


def memberships_groups_sync(*, user) -> None:
    """``user`` in "Community manager" while managing a community, in "Auditor" while auditing one."""
    groups = groups_ensure()
    roles = set(user.community_memberships.values_list("is_auditor", flat=True))
    for name, auditor in ((MANAGER_GROUP, False), (AUDITOR_GROUP, True)):
        if auditor in roles:
            user.groups.add(groups[name])
        else:
            user.groups.remove(groups[name])
