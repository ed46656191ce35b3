"""The Gradio web chat: the app, per-tab chat handlers, HTML rendering, assets."""
