from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path


def home(request):
    who = request.user.username if request.user.is_authenticated else "(nobody)"
    return HttpResponse(f"django-oidc-provider test OP. Signed in: {who}\n", content_type="text/plain")


urlpatterns = [
    path("", home),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
]
