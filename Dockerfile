# its-server container image.
#   docker build -t itsd .
#   docker run --rm -p 8080:8080 itsd                       # serves on 0.0.0.0:8080
#   docker run --rm -p 9000:9000 itsd serve --bind-address 0.0.0.0 --port 9000

# The build image matches the toolchain CI uses (Swift 6.3); override with --build-arg SWIFT_IMAGE=….
ARG SWIFT_IMAGE=swift:6.3-bookworm

# -- build ------------------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libssl-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --product itsd --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/itsd" /out/itsd

# -- run --------------------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libssl3 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/itsd --create-home --shell /usr/sbin/nologin itsd
COPY --from=build /out/itsd /usr/local/bin/itsd
USER itsd
WORKDIR /var/lib/itsd
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/itsd"]
CMD ["serve", "--bind-address", "0.0.0.0"]
