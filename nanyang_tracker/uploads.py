"""How a request's uploaded files are read: long Chinese file names must not make Django fail.

Two Django limits would otherwise answer a long file name with an error page instead of the
form's own message (reproduced in tests/reports/test_upload_names.py):

- 400. django.http.multipartparser reads the headers of each part of a multipart body in at
  most MAX_TOTAL_HEADER_SIZE bytes, 1024 in Django 5.2 (a module constant, no setting: Django
  ticket #34968), and refuses the whole request beyond that. A browser sends the file name raw
  in UTF-8, 3 bytes per Chinese character, so 300 characters and the Content-Type of a .docx
  are over it. The limit is raised to 8 KiB, gunicorn's own limit on one request header line:
  still a bound on what one part may make the parser buffer.
- 500. Django's TemporaryFileUploadHandler (files over FILE_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB)
  names its temporary file after the upload's extension, all that follows the last dot; for a
  name such as "附件1.关于……的报告" (no extension, 90 characters after the dot) that is over
  the file system's 255 bytes and open() fails. Here the temporary file has no such suffix.

Activated by FILE_UPLOAD_HANDLERS in settings: Django imports this module before it parses the
first multipart body, so the raised limit is in place for every request.
"""

from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.files.uploadhandler import (
    TemporaryFileUploadHandler as DjangoTemporaryFileUploadHandler,
)
from django.http import multipartparser

PART_HEADER_BYTES = 8 * 1024

multipartparser.MAX_TOTAL_HEADER_SIZE = max(
    multipartparser.MAX_TOTAL_HEADER_SIZE, PART_HEADER_BYTES
)


class TemporaryFileUploadHandler(DjangoTemporaryFileUploadHandler):
    """Django's handler, with a temporary file named without the upload's own extension."""

    def new_file(self, *args, **kwargs):
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = TemporaryUploadedFile(
            "upload", self.content_type, 0, self.charset, self.content_type_extra
        )
        self.file.name = self.file_name  # the user's name, as data (UploadedFile shortens it)
