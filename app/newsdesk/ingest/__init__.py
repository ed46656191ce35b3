"""The write path: read the corpus, cut page furniture, chunk, embed, store; watch for changes."""
