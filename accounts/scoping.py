"""Building blocks for `visible_to(user)` querysets in every app.

Scope first, then act: a district officer sees their district, provincial officers
and administrators the province, anyone else nothing (council members reach dossiers
through their rounds instead).
"""

from django.db.models import Q

from .models import Role

NOTHING = Q(pk__in=[])


def jurisdiction_q(user, *, district: str, province: str) -> Q:
    """A filter keeping rows in the user's jurisdiction.

    `district` and `province` are lookups from the model to the district unit and to
    the province unit, e.g. district="commune__parent", province="commune__parent__parent".
    """
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    if user.role in (Role.PROVINCIAL_OFFICER, Role.ADMINISTRATOR):
        return Q(**{province: user.jurisdiction_id})
    if user.role == Role.DISTRICT_OFFICER:
        return Q(**{district: user.jurisdiction_id})
    return NOTHING
