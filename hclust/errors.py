"""Errors the user can act on."""


class InputError(ValueError):
    """A problem with the user's input, phrased for the user.

    The message names the row, column, option or limit at fault and is shown
    on the page as it is. Anything else that goes wrong is a bug.
    """
