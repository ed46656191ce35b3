"""Errors that newsdesk reports to users: each carries a message meant to be shown as is."""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class: a problem the user can act on; shown without a traceback."""


class ConfigError(NewsdeskError):
    """A setting has a bad value; the message names the setting."""


class BadQuestion(NewsdeskError):
    """The question cannot be answered as asked (empty, too long, ...)."""


class IndexBusy(NewsdeskError):
    """Another process holds the index's write lock."""


class IngestFailed(NewsdeskError):
    """Nothing in the corpus could be indexed."""


class GeneratorUnavailable(NewsdeskError):
    """The configured answer generator cannot be reached or loaded."""


class StoreError(NewsdeskError):
    """The vector store cannot be opened, reached or read; the message names the store."""


class QuestionFileError(NewsdeskError):
    """A question file for `eval` is missing or malformed; the message names file and line."""


class ServeError(NewsdeskError):
    """The web chat cannot start (port taken, bad host); the message says what to change."""


class AddFailed(NewsdeskError):
    """A file, page or feed could not be added to the corpus; the message names it and why."""


class FetchFailed(AddFailed):
    """A URL was refused or could not be fetched; the message names the URL and the reason."""


class EvalOutputError(NewsdeskError):
    """An `eval` output folder to compare is missing or unreadable; the message names it."""
