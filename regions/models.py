import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class AdministrativeUnitQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> "AdministrativeUnitQuerySet":
        return self.filter(
            Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def provinces(self) -> "AdministrativeUnitQuerySet":
        return self.filter(level=UnitLevel.PROVINCE)

    def districts(self) -> "AdministrativeUnitQuerySet":
        return self.filter(level=UnitLevel.DISTRICT)

    def communes(self) -> "AdministrativeUnitQuerySet":
        return self.filter(level=UnitLevel.COMMUNE)


class AdministrativeUnit(models.Model):
    """A province, district or commune as the GSO lists it, for the period it existed.

    The hierarchy changes (Đồng Tháp lost its districts on 1/7/2025), so a unit is never
    edited into another: a new unit gets a new row with its own validity, and records of
    2021 keep pointing at the 2021 units.
    """

    code = models.CharField(_("GSO code"), max_length=10)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    kind = models.CharField(
        _("kind"),
        max_length=30,
        help_text=_("Tỉnh, Thành phố, Huyện, Xã, Phường, Thị trấn…"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"],
                name="regions_unit_code_valid_from_unique",
            ),
            models.CheckConstraint(
                condition=Q(level__in=UnitLevel.values), name="regions_unit_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="regions_unit_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(level=UnitLevel.PROVINCE) | Q(parent__isnull=False),
                name="regions_unit_parent_below_province",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def short_name(self) -> str:
        """The name without its kind: "Lai Vung" for "Huyện Lai Vung"."""
        prefix = f"{self.kind} "
        return self.name[len(prefix) :] if self.name.startswith(prefix) else self.name

    @property
    def province(self) -> "AdministrativeUnit":
        unit = self
        while unit.parent_id is not None:
            unit = unit.parent
        return unit

    @property
    def district(self) -> "AdministrativeUnit | None":
        """A commune's district; None for a commune of the two-tier government (from
        1/7/2025 communes are directly under the province)."""
        if self.parent_id is None or self.parent.level != UnitLevel.DISTRICT:
            return None
        return self.parent

    @property
    def place_name(self) -> str:
        """A commune as an address reads on its day: "Xã Tân Phước, Huyện Lai Vung" in
        2021, "Xã Lai Vung" since districts ended."""
        district = self.district
        return f"{self.name}, {district.name}" if district else self.name

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (
            self.valid_to is None or self.valid_to >= day
        )

    def current_on(self, day: datetime.date) -> "AdministrativeUnit":
        """This unit if it exists on `day`, else the unit that took over its records
        (through as many reforms as there were)."""
        unit = self
        while not unit.is_valid_on(day):
            successor = unit.main_successor()
            if successor is None:
                break
            unit = successor
        return unit

    def main_successor(self) -> "AdministrativeUnit | None":
        """The unit that took over this one's records when it ended (the main one when
        it was split), or None while it exists."""
        succession = (
            self.succeeded_by.filter(main=True).select_related("successor").first()
        )
        return succession.successor if succession else None


class UnitSuccession(models.Model):
    """A unit that ended, and a unit that took over (part of) its territory on the day
    after: on 1/7/2025 each commune of the former Đồng Tháp and Tiền Giang became
    part of one of the 102 units of the merged province (Resolution 1663/NQ-UBTVQH15).

    A unit split between several successors has one `main` successor: the one its
    records (producers, products) move to unless someone places them elsewhere.
    """

    predecessor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("former unit"),
        on_delete=models.PROTECT,
        related_name="succeeded_by",
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("successor unit"),
        on_delete=models.PROTECT,
        related_name="succeeds",
    )
    main = models.BooleanField(
        _("main successor"),
        default=True,
        help_text=_("Records of the former unit move here by default."),
    )

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        ordering = ["predecessor__code", "-main", "successor__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="regions_succession_unique",
            ),
            models.UniqueConstraint(
                fields=["predecessor"],
                condition=Q(main=True),
                name="regions_succession_one_main",
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="regions_succession_not_itself",
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"
