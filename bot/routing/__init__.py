"""Routing free text ("my order 1042 arrived broken") to a procedure the person may start.

``route.py`` is the interface every router meets; ``offline.py`` ranks with embeddings that
ship inside their wheels (multilingual sentences, English words) plus keywords, so routing
works with no model and no network; ``extract.py`` pulls the inputs that are clearly in the text.
"""
