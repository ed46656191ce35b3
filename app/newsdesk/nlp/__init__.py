"""Pure text functions: words, sentences, dates, answer types. No I/O; imports only itself."""
