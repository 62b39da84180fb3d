"""What the setup page's Google section uses of this adapter, in one place (the page reaches it
through compose.google_setup(), as the rest of the app reaches adapters through compose)."""

from webinar_tray.adapters.calendar.google.account import token_store
from webinar_tray.adapters.calendar.google.calendars import (NEW_SIGN_IN, CalendarListError, ListNeedsSignIn,
                                                             can_list, list_calendars)
from webinar_tray.adapters.calendar.google.client import AuthError, ClientSecretsError, load_client, parse_client
from webinar_tray.adapters.calendar.google.tokens import TokenStoreError, credentials_from

__all__ = ["token_store", "NEW_SIGN_IN", "CalendarListError", "ListNeedsSignIn", "can_list", "list_calendars",
           "AuthError", "ClientSecretsError", "load_client", "parse_client", "TokenStoreError",
           "credentials_from"]
