#!/usr/bin/env python
"""django-oidc-provider 0.9.0 test OP. Run with the venv's python: .venv/bin/python manage.py ...

Environment (see opsite/settings.py): DJANGO_OP_DATA_DIR (required: throw-away dir for the SQLite DB),
DJANGO_OP_PORT (default 9020), DJANGO_OP_SITE_URL (default http://127.0.0.1:<port>),
DJANGO_OP_RP_ORIGINS (comma-separated, default http://127.0.0.1:9030).
"""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
