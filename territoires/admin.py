from django.contrib import admin

from territoires.models import Commune, Famille, Organisation, Territoire


@admin.register(Territoire)
class TerritoireAdmin(admin.ModelAdmin):
    list_display = ("nom", "siren", "nature", "population", "departements")
    search_fields = ("nom", "siren")
    list_filter = ("nature",)


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("nom", "code_insee", "departement", "population", "territoire")
    search_fields = ("nom", "code_insee")
    raw_id_fields = ("territoire",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("nom", "type", "departement")
    list_filter = ("type",)
    search_fields = ("nom",)


@admin.register(Famille)
class FamilleAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "commune",
        "nombre_adultes",
        "nombre_enfants",
        "monoparentale",
        "etape_vie",
        "affiliation_msa",
    )
    raw_id_fields = ("commune",)
