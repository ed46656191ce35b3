"""Answer generators: extractive (default), local (xllamacpp) and openai (any compatible endpoint)."""
