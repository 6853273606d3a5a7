"""Production cookie attributes for django-oidc-provider's readable `op_browser_state` cookie over https.

django-oidc-provider 0.9.0 sets it with Django's defaults (no SameSite attribute, not Secure). In production an OP
that is framed cross-site needs `SameSite=None; Secure` on it like on its session cookie, so the https rig
(DJANGO_OP_TLS=1, issue 13) sets both here. Listed before SessionManagementMiddleware, so it sees the response after it.
"""


class CrossSiteBrowserStateCookie:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        morsel = response.cookies.get("op_browser_state")
        if morsel is not None:
            morsel["samesite"] = "None"
            morsel["secure"] = True
        return response
