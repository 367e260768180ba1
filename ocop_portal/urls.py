from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from evaluations.views import register

from . import views

urlpatterns = [
    path("portal/", views.portal_home, name="portal-home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # URLs are part of the interface (DESIGN §7): /producers/, /products/, /dossiers/,
    # /evaluations/…, /dashboard/, and the public /, /p/<code>/, /verify/.
    path("producers/", include("producers.urls")),
    path("", include("products.urls")),
    path("evaluations/", include("evaluations.urls")),
    # The register of every certificate the user may see (issue 11).
    path("certificates/", register.certificate_register, name="certificate-register"),
    path("", include("plans.urls")),
    path("", include("evaluations.public_urls")),
]
