"""Errors of the importers."""

from brigade.infra.errors import Conflict, InvalidInput


class ImportSourceError(InvalidInput):
    """The data to import is missing, unreadable or not in a known shape (the message
    names the file, the line and what was expected)."""

    type = "import-source-invalid"
    title = "The import source cannot be read"


class ImportConflict(Conflict):
    """The import would contradict what the database holds (e.g. the existing
    restaurant has another time zone than the one asked for)."""

    type = "import-conflict"
    title = "The import conflicts with existing data"
