"""Where generated PDFs live: a private store that has no public URL.

Files are only ever read back through the API, which checks the reader on every
download. Production points `PORTAL_PRIVATE_ROOT` at storage shared by the app
processes and the task workers (or swaps the `exports` storage for a private bucket).
"""

from django.core.files.storage import FileSystemStorage, storages


class PrivateStorage(FileSystemStorage):
    def url(self, name):
        raise NotImplementedError("Private files have no URL; use the download API.")


def private_storage():
    return storages["exports"]
