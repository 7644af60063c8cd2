"""The exceptions of faultline. The engine raises them; they pickle (Dask sends them back)."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: what the CLI reports with exit code 2.

    ``str(error)`` is the CLI's message (without its ``error:`` prefix): the file or option, the
    line, the JSON pointer and what was expected. The parts are attributes too.
    """

    def __init__(self, text: str, message: str = "", file: str = "", pointer: str = "", line: int = 0) -> None:
        super().__init__(text)
        #: What was expected, without the place.
        self.message = message or text
        #: The file (or the option, such as ``--set`` or ``--goal``) the input came from.
        self.file = file
        #: The JSON pointer into the file, or "".
        self.pointer = pointer
        #: The 1-based line, 0 when unknown.
        self.line = line

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self):  # keep the attributes across pickling
        return (type(self), (self.args[0], self.message, self.file, self.pointer, self.line))


class ConservationError(RuntimeError):
    """The message accounting of a run did not balance (an engine or model bug; CLI exit code 1)."""
