"""One-shot set-up of the test OP: migrate, RSA key, user alice/wonderland, public client session-rp."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

CLIENT_ID = "session-rp"


class Command(BaseCommand):
    help = "migrate, creatersakey, user alice/wonderland, public Client session-rp for the RP origins"

    def add_arguments(self, parser):
        parser.add_argument("--user", default="alice")
        parser.add_argument("--password", default="wonderland")

    def handle(self, *args, user, password, **options):
        call_command("migrate", interactive=False, verbosity=0)

        from oidc_provider.models import Client, ResponseType, RSAKey

        if not RSAKey.objects.exists():
            call_command("creatersakey")

        User = get_user_model()
        u, _ = User.objects.get_or_create(username=user, defaults={"email": f"{user}@example.test"})
        u.set_password(password)
        u.save()

        origins = settings.RP_ORIGINS
        client, _ = Client.objects.get_or_create(client_id=CLIENT_ID, defaults={"name": CLIENT_ID})
        client.name = CLIENT_ID
        client.client_type = "public"
        client.client_secret = ""
        client.jwt_alg = "RS256"
        client.require_consent = False  # honoured for id_token (implicit); public code flow always asks
        client.reuse_consent = True
        client.redirect_uris = [u for o in origins for u in (f"{o}/callback.html", f"{o}/silent-callback.html")]
        client.post_logout_redirect_uris = [f"{o}/logged-out.html" for o in origins]
        client.save()
        client.response_types.set(ResponseType.objects.filter(value__in=["code", "id_token"]))

        self.stdout.write(
            f"[django-op] site={settings.SITE_URL} user={user} client={CLIENT_ID} "
            f"response_types={sorted(rt.value for rt in client.response_types.all())} "
            f"redirect_uris={' '.join(client.redirect_uris)} "
            f"post_logout_redirect_uris={' '.join(client.post_logout_redirect_uris)}"
        )
