# bus-contract in a container: `docker build -t bus-contract .`, then, in a service repo,
# `docker run --rm -v "$PWD:/work" bus-contract check`.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin bus-contract

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/bus-contract /usr/local/bin/bus-contract
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/bus-contract"]
CMD ["check"]
