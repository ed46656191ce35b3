"""The `newsdesk` command: subcommands, the terminal chat, plain-text rendering."""
