from django.urls import path

from .views import dashboard, plans, salespoints, trainings

app_name = "plans"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export/", dashboard.dashboard_export, name="dashboard-export"),
    path("plans/", plans.plan_list, name="plan-list"),
    path("plans/new/", plans.plan_create, name="plan-create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/status/", plans.plan_status, name="plan-status"),
    path("plans/<int:pk>/refresh/", plans.plan_refresh, name="plan-refresh"),
    path("plans/<int:pk>/targets/new/", plans.target_create, name="target-create"),
    path("plans/targets/<int:pk>/edit/", plans.target_edit, name="target-edit"),
    path("plans/targets/<int:pk>/delete/", plans.target_delete, name="target-delete"),
    path("trainings/", trainings.training_list, name="training-list"),
    path("trainings/new/", trainings.training_create, name="training-create"),
    path("trainings/<int:pk>/", trainings.training_detail, name="training-detail"),
    path("trainings/<int:pk>/edit/", trainings.training_edit, name="training-edit"),
    path(
        "trainings/<int:pk>/attendance/",
        trainings.attendance_add,
        name="attendance-add",
    ),
    path(
        "trainings/attendance/<int:pk>/remove/",
        trainings.attendance_remove,
        name="attendance-remove",
    ),
    path("sales-points/", salespoints.salespoint_list, name="salespoint-list"),
    path("sales-points/new/", salespoints.salespoint_create, name="salespoint-create"),
    path(
        "sales-points/<int:pk>/",
        salespoints.salespoint_detail,
        name="salespoint-detail",
    ),
    path(
        "sales-points/<int:pk>/edit/",
        salespoints.salespoint_edit,
        name="salespoint-edit",
    ),
]
