# syntax=docker/dockerfile:1
# chipgate serve as a container: built from source in a Rust image, run as a non-root user in
# a slim Debian image. docs/service.md, "As a container".
#
#   docker build -t chipgate .
#   docker run --rm -p 8181:8181 chipgate
#   docker run --rm -p 8181:8181 -v chipgate-log:/var/lib/chipgate \
#       -e CHIPGATE_TOKEN=… chipgate serve --listen 0.0.0.0:8181 \
#       --decision-log /var/lib/chipgate/decisions.jsonl

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# The rule pack (rules/) is compiled into the binary by build.rs, so the image needs no files
# besides the binary. Cache mounts keep the crates and the build between image builds.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin chipgate \
    && cp target/release/chipgate /usr/local/bin/chipgate

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin chipgate \
    && mkdir -p /var/lib/chipgate \
    && chown chipgate:chipgate /var/lib/chipgate
COPY --from=build /usr/local/bin/chipgate /usr/local/bin/chipgate
USER chipgate:chipgate
WORKDIR /var/lib/chipgate
EXPOSE 8181
# /health is the one endpoint without the token: 200 once the rules are loaded. bash's
# /dev/tcp keeps curl out of the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8181 && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# SIGTERM (docker stop) finishes the requests in flight before exiting.
STOPSIGNAL SIGTERM
ENTRYPOINT ["chipgate"]
CMD ["serve", "--listen", "0.0.0.0:8181"]
