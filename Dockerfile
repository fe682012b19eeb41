# syntax=docker/dockerfile:1
# DataMCP image: the `datamcp` binary on Debian bookworm with the runtime libraries it links
# and the planners it runs (terraform, helm). Build: docker build -t datamcp:dev .
# Run: docker run -p 8080:8080 -v datamcp:/var/lib/datamcp datamcp:dev
# State (mirror, SQLite state database, local forge, generated HS256 key) lives in
# /var/lib/datamcp: mount a persistent volume there, and run exactly one container per volume.

ARG DEBIAN_IMAGE=debian:bookworm-slim
ARG TERRAFORM_VERSION=1.11.4
ARG HELM_VERSION=3.17.3

FROM hashicorp/terraform:${TERRAFORM_VERSION} AS terraform
FROM alpine/helm:${HELM_VERSION} AS helm

FROM ${DEBIAN_IMAGE} AS build
# The -dev packages of scripts/setup's build list (no test tooling).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      libgit2-dev libcpp-httplib-dev nlohmann-json3-dev libspdlog-dev libssl-dev \
      libyaml-cpp-dev prometheus-cpp-dev libsimdjson-dev libsqlite3-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build /build -j"$(nproc)" --target datamcp \
 && strip /build/bot/datamcp \
 && /build/bot/datamcp version

FROM ${DEBIAN_IMAGE}
# Runtime libraries only: their dependency closure covers every library the binary links
# (tests/deploy checks it with ldd), plus the CA bundle for https remotes, GitHub and
# Argo CD. No git CLI: DataMCP uses libgit2.
ARG RUNTIME_PACKAGES="ca-certificates bubblewrap libgit2-1.5 libcpp-httplib0.11 libspdlog1.10 libyaml-cpp0.7 libprometheus-cpp-core1.0 libsimdjson14 libssl3 libsqlite3-0 libpq5"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${RUNTIME_PACKAGES} \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 datamcp \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/datamcp --no-create-home \
      --shell /usr/sbin/nologin datamcp \
 && install -d -o 10001 -g 10001 -m 0700 /var/lib/datamcp
COPY --from=terraform /bin/terraform /usr/local/bin/terraform
COPY --from=helm /usr/bin/helm /usr/local/bin/helm
COPY --from=build /build/bot/datamcp /usr/local/bin/datamcp
# The GitOps repository `datamcp init-repo` and the embedded default start from.
COPY repo-template /usr/share/datamcp/repo-template

# Listen on every interface inside the container. Authentication stays on (auth.mode jwt):
# auth.mode none is refused off loopback. HOME points at the state volume so helm and
# terraform caches survive restarts.
ENV DATAMCP_SERVER_BIND=0.0.0.0 \
    DATAMCP_SERVER_PORT=8080 \
    DATAMCP_WORK_DIR=/var/lib/datamcp \
    DATAMCP_LOG_FORMAT=json \
    HOME=/var/lib/datamcp \
    CHECKPOINT_DISABLE=1
WORKDIR /var/lib/datamcp
VOLUME ["/var/lib/datamcp"]
EXPOSE 8080
USER 10001:10001
ENTRYPOINT ["datamcp"]
CMD ["serve"]
