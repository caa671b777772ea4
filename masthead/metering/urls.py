from django.urls import path

from masthead.metering import views

urlpatterns = [
    path("meter.json", views.meter_json, name="meter-json"),
    path("subscribe/", views.subscribe, name="subscribe"),
]
