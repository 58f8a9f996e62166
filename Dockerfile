# A thin mirror of `make serve`: install (torch CPU build first), build the index, serve.
# Pass the CPU wheel index of PyTorch as TORCH_INDEX_URL so pip does not pull a CUDA build.
FROM python:3.11-slim

RUN apt-get update && apt-get install -y --no-install-recommends build-essential make \
    && rm -rf /var/lib/apt/lists/*
ARG TORCH_INDEX_URL=""
WORKDIR /app
COPY pyproject.toml README.md Makefile ./
COPY service ./service
COPY knowledge ./knowledge
COPY playbooks ./playbooks
RUN pip install --no-cache-dir torch==2.13.0 ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} \
    && pip install --no-cache-dir .

ENV SALESCOACH_DATA_DIR=/data
# the index, the embedding cache and (without SALESCOACH_DATABASE_URL) the SQLite database
VOLUME ["/data"]
EXPOSE 8000
# The index is built on first start (or when stale) into the /data volume, then served.
CMD ["sh", "-c", "salescoach index && exec salescoach serve --host 0.0.0.0 --port 8000"]
