# Customer Journey Dashboard: docker build -t journey . && docker run -p 8501:8501 journey
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    JOURNEY_DUCKDB_THREADS=2 \
    JOURNEY_DUCKDB_MEMORY=2GB

RUN useradd --create-home --uid 1000 journey
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=journey:journey app.py ./
COPY --chown=journey:journey app_pages ./app_pages
COPY --chown=journey:journey dashboard ./dashboard
COPY --chown=journey:journey journeylib ./journeylib
COPY --chown=journey:journey sample_data ./sample_data
COPY --chown=journey:journey .streamlit/config.toml ./.streamlit/config.toml
# Workspaces are saved here; mount a volume to keep them across containers.
RUN mkdir -p /app/data && chown journey:journey /app/data

USER journey
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
