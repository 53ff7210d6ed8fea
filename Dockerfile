# syntax=docker/dockerfile:1
# podnet agent image:  docker build -t ghcr.io/podnet/podnet:0.1.0 .
#
# Build stage: Debian 12 - the platform scripts/install-deps targets, where clang, libbpf-dev (headers for
# the BPF programs) and bpftool are packaged - with the Temurin 25 JDK copied from its official image.
# (Temurin's own images are Ubuntu 24.04, whose bpftool is a wrapper that looks for a tool matching the
# running kernel and fails inside a build container.)
FROM debian:bookworm-slim AS build
COPY --from=eclipse-temurin:25-jdk /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:$PATH
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang llvm libbpf-dev bpftool unzip curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, in their own layer, so a source change does not download them again.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
RUN ./mvnw -B -q -DskipTests package

# Run stage: the JRE and libbpf.so.1, which podnet loads through java.lang.foreign at run time.
FROM eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends libbpf1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/podnet.jar /opt/podnet/podnet.jar
COPY bin/jvm.options /opt/podnet/jvm.options
EXPOSE 9475
# The agent runs as root with a chosen set of capabilities (see deploy/30-daemonset.yaml).
ENTRYPOINT ["java", "@/opt/podnet/jvm.options", "-jar", "/opt/podnet/podnet.jar"]
CMD ["run"]
