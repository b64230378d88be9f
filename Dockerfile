# milvus-mock: a static (musl) binary on an empty base, a few MB in all.
#   docker build -t milvus-mock .
#   docker run --rm -p 19530:19530 milvus-mock

FROM rust:1.95-alpine AS build
# musl-dev and gcc (for mimalloc, the static binary's allocator) come from the base image's own Alpine release;
# the base tag is what pins them.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev gcc
WORKDIR /src
COPY . .
# Alpine's Rust targets x86_64/aarch64-unknown-linux-musl and links statically by default.
RUN cargo build --release --locked -p milvus-mock \
    && cp target/release/milvus-mock /milvus-mock

FROM scratch
COPY --from=build /milvus-mock /milvus-mock
COPY fixtures /fixtures
# Inside a container the mock must accept connections from other containers.
ENV MILVUS_MOCK_HOST=0.0.0.0 \
    MILVUS_MOCK_PORT=19530 \
    RUST_LOG=milvus_mock=info
USER 65532:65532
EXPOSE 19530
HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --retries=3 CMD ["/milvus-mock", "healthcheck"]
ENTRYPOINT ["/milvus-mock"]
