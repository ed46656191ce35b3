"""Model parts: sentence embedders (torch and ONNX), the ONNX export, chat-model clients."""
