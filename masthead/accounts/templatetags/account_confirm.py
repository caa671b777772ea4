"""``{% receiving_account confirmation as account %}``: the confirm-email page says
which account the address is about to join (display name, masked primary address)."""

from __future__ import annotations

from typing import Any

from django import template

from masthead.accounts.display import receiving_account as _receiving_account

register = template.Library()


@register.simple_tag
def receiving_account(confirmation: Any) -> dict[str, str]:
    """The account ``confirmation`` (an allauth email confirmation) adds its address to."""
    address = confirmation.email_address
    return _receiving_account(address.user, address.email)
