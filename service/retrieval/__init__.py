"""Handbook retrieval: chunking, embeddings, dense and keyword indexes, fusion and answers."""
