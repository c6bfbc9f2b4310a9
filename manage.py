#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "legbilling_site.settings.base")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    from core.audit import acting_as, command_line_actor

    # Everything a command changes is audited as this command and the OS user who ran it.
    with acting_as(command_line_actor(sys.argv)):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
