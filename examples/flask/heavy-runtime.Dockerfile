# The shape of the note the example comes from: two stages, but the runtime stage is
# still the full python:3.9 and reinstalls flask, so most of the weight ships anyway.
FROM python:3.9 AS build
WORKDIR /app
RUN apt update && apt install -y build-essential
RUN pip install flask

FROM python:3.9 AS runtime
WORKDIR /app
COPY app.py /app
RUN pip install flask
EXPOSE 5000
ENTRYPOINT ["python"]
CMD ["app.py"]
