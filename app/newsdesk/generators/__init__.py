"""Answer generators: extractive (default), local (xllamacpp), openai (any compatible server)."""
