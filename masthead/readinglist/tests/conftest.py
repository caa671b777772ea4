"""Personas for these tests come from :mod:`masthead.testing.personas`."""

from masthead.testing.personas import PASSWORD, alice, bob, carol, make_user, signed_in  # noqa: F401
