from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/", views.dashboard_export, name="dashboard-export"),
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/status/", views.plan_status, name="plan-status"),
    path("plans/<int:pk>/refresh/", views.plan_refresh, name="plan-refresh"),
    path("plans/<int:pk>/targets/new/", views.target_create, name="target-create"),
    path("plans/targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("plans/targets/<int:pk>/delete/", views.target_delete, name="target-delete"),
    path("trainings/", views.training_list, name="training-list"),
    path("trainings/new/", views.training_create, name="training-create"),
    path("trainings/<int:pk>/", views.training_detail, name="training-detail"),
    path("trainings/<int:pk>/edit/", views.training_edit, name="training-edit"),
    path(
        "trainings/<int:pk>/attendance/",
        views.attendance_add,
        name="attendance-add",
    ),
    path(
        "trainings/attendance/<int:pk>/remove/",
        views.attendance_remove,
        name="attendance-remove",
    ),
    path("sales-points/", views.salespoint_list, name="salespoint-list"),
    path("sales-points/new/", views.salespoint_create, name="salespoint-create"),
    path("sales-points/<int:pk>/", views.salespoint_detail, name="salespoint-detail"),
    path("sales-points/<int:pk>/edit/", views.salespoint_edit, name="salespoint-edit"),
]
