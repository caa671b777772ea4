from django.urls import path

from masthead.accounts import views

urlpatterns = [
    path("", views.account, name="account-home"),
    path("export/", views.export, name="account-export"),
    path("delete/", views.delete, name="account-delete"),
]
