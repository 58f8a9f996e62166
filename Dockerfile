# A thin mirror of `make serve`: install (torch CPU build first), build the index, serve.
# The CPU wheel of torch 2.13.0 comes from the PyTorch CPU index here; on the team machines
# it lies on local disk (see the README).
FROM python:3.11-slim

RUN apt-get update && apt-get install -y --no-install-recommends build-essential make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md Makefile ./
COPY service ./service
COPY knowledge ./knowledge
COPY playbooks ./playbooks
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
    && pip install --no-cache-dir .

ENV SALESCOACH_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
# The index is built on first start (or when stale) into the /data volume, then served.
CMD ["sh", "-c", "salescoach index && exec salescoach serve --host 0.0.0.0 --port 8000"]
