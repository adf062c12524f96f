"""One module per class of personal data, each exposing ``RECOGNIZER``; ``registry`` finds them."""
