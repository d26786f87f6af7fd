"""What the web UI's admin pages work on, free of the pages themselves: exports, the inbox, the message log."""
