"""The one exception type for problems a user can fix; operators catch it and report its message."""


class UserError(Exception):
    """Bad input, a missing setting or a backend failure, said in words the user can act on."""
