"""Test settings: the base settings with fast hashing, synchronous tasks and a throwaway MEDIA_ROOT."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import Q_CLUSTER

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="legbilling-test-media-"))
# Each test process (every xdist worker too) has its own folder; it goes when the process ends.
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
LANGUAGE_CODE = "en"
