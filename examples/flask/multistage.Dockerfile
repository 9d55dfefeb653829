# The same app, built heavy and shipped light: the toolchain stays in `build`.
FROM python:3.9 AS build
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir flask

FROM python:3.9-slim AS runtime
WORKDIR /app
COPY --from=build /venv /venv
COPY app.py /app
ENV PATH=/venv/bin:$PATH
USER 10001
EXPOSE 5000
ENTRYPOINT ["python"]
CMD ["app.py"]
