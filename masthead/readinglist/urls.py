from django.urls import path

from masthead.readinglist import views

urlpatterns = [
    path("saved/", views.saved_list, name="saved-list"),
    path("saved/add/", views.add, name="saved-add"),
    path("saved/remove/", views.remove, name="saved-remove"),
]
