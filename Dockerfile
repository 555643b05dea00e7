# Stringer daemon image: built from this checkout, runs `stringer run`.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/stringer

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/stringer stringer \
    && mkdir -p /var/lib/stringer && chown stringer /var/lib/stringer
COPY --from=build /src/target/release/stringer /usr/local/bin/stringer
COPY config /etc/stringer
USER stringer
WORKDIR /var/lib/stringer
ENV STRINGER_CONFIG=/etc/stringer/default.toml
ENTRYPOINT ["stringer"]
CMD ["run"]
