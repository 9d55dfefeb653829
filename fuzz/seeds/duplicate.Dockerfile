FROM golang:1.22 AS build
RUN go build -o /app .
FROM golang:1.22 AS build
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=biuld /app /app
COPY --from=build /app /app
