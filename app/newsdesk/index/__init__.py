"""The Chroma store: clients, collection, manifest, write lock, repair of a damaged store."""
