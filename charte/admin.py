from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.html import format_html, format_html_join

from charte.double_facteur import connexion_de_l_administration
from charte.models import Charte, Etape, Invitation, Journal, Membre, Trace, Utilisateur

admin.site.login = connexion_de_l_administration


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("MSA", {"fields": ("est_agent_msa", "est_national")}),)
    list_display = ("username", "email", "first_name", "last_name", "est_agent_msa", "est_national", "is_staff")
    list_filter = UserAdmin.list_filter + ("est_agent_msa", "est_national")


class EtapeInline(admin.TabularInline):
    model = Etape
    extra = 0
    fields = ("numero", "date_debut", "date_fin", "echeance_jalon", "jalon_valide_le", "jalon_instance")
    readonly_fields = ("numero",)


class MembreInline(admin.TabularInline):
    model = Membre
    extra = 0
    autocomplete_fields = ("utilisateur",)


@admin.register(Charte)
class CharteAdmin(admin.ModelAdmin):
    list_display = ("nom", "territoire", "date_debut")
    search_fields = ("nom", "territoire__nom", "territoire__siren")
    raw_id_fields = ("territoire",)
    filter_horizontal = ()
    exclude = ("communes",)
    inlines = [EtapeInline, MembreInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "charte", "role", "creee_le", "expire_le", "acceptee_le", "annulee_le")
    list_filter = ("role",)
    search_fields = ("email", "charte__nom")


@admin.register(Journal)
class JournalAdmin(admin.ModelAdmin):
    list_display = ("date", "charte", "auteur", "action")
    list_filter = ("charte",)
    search_fields = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Trace)
class TraceAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody adds, changes or deletes a trace, not even a superuser."""

    list_display = ("date", "charte", "qui", "action", "type_objet", "objet")
    list_filter = (
        ("charte", admin.RelatedOnlyFieldListFilter),
        ("type_objet", admin.RelatedOnlyFieldListFilter),
        "action",
        ("auteur", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("charte", "auteur", "type_objet")
    date_hierarchy = "date"
    search_fields = ("objet", "auteur__username", "auteur__last_name", "charte__nom")
    fields = ("date", "charte", "qui", "action", "type_objet", "objet_id", "objet", "tableau_des_changements")
    readonly_fields = fields

    @admin.display(description="auteur", ordering="auteur__username")
    def qui(self, trace):
        return trace.auteur or "Système"

    @admin.display(description="changements")
    def tableau_des_changements(self, trace):
        lignes = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>", trace.lignes())
        return format_html("<table><tr><th>champ</th><th>avant</th><th>après</th></tr>{}</table>", lignes)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
