# Build: the release binary, with migrations and reference data embedded.
FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY seed seed
RUN cargo build --release --locked

# Run: a small image, an unprivileged user, nothing but the binary and libpq.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /var/lib/zv-monitor zv
COPY --from=build /src/target/release/zv-monitor /usr/local/bin/zv-monitor
USER 10001
WORKDIR /var/lib/zv-monitor
ENV ZV_LISTEN=0.0.0.0:8080 \
    ZV_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["zv-monitor"]
CMD ["serve"]
