"""The read path's answering: the generator protocol, extractive and model generators, citations."""
