from django.urls import path

from . import views

app_name = "producers"

urlpatterns = [
    path("", views.producer_list, name="producer-list"),
    path("export/", views.producer_export, name="producer-export"),
    path("new/", views.producer_create, name="producer-create"),
    path("<int:pk>/", views.producer_detail, name="producer-detail"),
    path("<int:pk>/edit/", views.producer_edit, name="producer-edit"),
    path("<int:pk>/archive/", views.producer_archive, name="producer-archive"),
]
