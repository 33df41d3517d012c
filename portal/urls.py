from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from portal import operator, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html"),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    re_path(r"^site/(?P<relative>.*)$", views.site, name="site"),
    path("upload/", views.upload, name="upload"),
    path("uploads/", views.upload_list, name="upload_list"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/annotated", views.upload_annotated, name="upload_annotated"),
    path("uploads/<int:pk>/file", views.upload_file, name="upload_file"),
    path("review/", views.review_list, name="review_list"),
    path("review/<str:report_id>/", views.review_detail, name="review_detail"),
    path("review/<str:report_id>/act", views.review_act, name="review_act"),
    path("registry/", operator.registry_page, name="registry"),
    path("registry/download", operator.registry_download, name="registry_download"),
    path("admin/", admin.site.urls),
]

handler403 = "portal.errors.forbidden"
handler404 = "portal.errors.not_found"
