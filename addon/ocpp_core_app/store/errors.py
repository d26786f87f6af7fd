"""What the store raises when its database cannot be used."""


class StoreError(Exception):
    """The database cannot be opened, read or written; the message says which file and why."""
