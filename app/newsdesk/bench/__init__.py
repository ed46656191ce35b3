"""`newsdesk bench`: speed and memory measured in child processes over generated corpora."""
