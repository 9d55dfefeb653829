# A builder that installs build-essential and leaves apt lists: that is fine,
# nothing of it ships. The final stage is clean.
FROM python:3.12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential
RUN python -m venv /venv && /venv/bin/pip install flask

FROM python:3.12-slim AS runtime
COPY --from=build /venv /venv
WORKDIR /app
COPY app.py .
USER 10001
ENV PATH=/venv/bin:$PATH
CMD ["python", "app.py"]
