"""The one exception journeylib raises for input it cannot use."""


class DataError(ValueError):
    """A file or table that cannot be used at all.

    The message says what is wrong and how to fix it; it is meant to be shown to the person who
    uploaded the file, as it is.
    """
