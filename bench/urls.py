"""The site's URLs and a bare view: the yardstick every page is measured against."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare(request):
    return HttpResponse("bare")


urlpatterns = [path("__bench__/bare/", bare, name="bench_bare"), *site_urlpatterns]
