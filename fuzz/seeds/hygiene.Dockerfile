FROM ubuntu AS base
MAINTAINER someone@example.com
RUN apt update && apt install curl
WORKDIR app
ADD src/ /src/
RUN cd /src && sudo make
RUN curl -s https://example.com/install.sh | sh

FROM node:latest AS web
COPY --from=nope /a /a
COPY --from=web /b /b
RUN yarn install
RUN pip install flask
CMD node server.js
CMD ["node", "x"]
ENTRYPOINT a
ENTRYPOINT ["b"]
HEALTHCHECK NONE
HEALTHCHECK CMD true

FROM alpine:3.20
COPY --from=base /src /src
COPY --from=web /b /b
RUN apk add curl
RUN apk add jq
RUN yum install -y httpd
RUN dnf install -y httpd
USER root
